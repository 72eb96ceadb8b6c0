import { describe, expect, it } from 'vitest';
import { decideDirection, type ConnectionEvidence } from './direction';

const t = (ms: number) => ({ ms, nanos: 0 });
const base: ConnectionEvidence = {
  protocol: 'TCP',
  ports: [52380, 8080],
  known: [undefined, undefined],
  votes: [0, 0],
  firstSent: [t(0), t(1)],
  firstRequest: [undefined, undefined],
};

describe('decideDirection: who opened a connection no handshake settled', () => {
  it.each<[string, Partial<ConnectionEvidence>, 0 | 1, string, boolean]>([
    [
      'a port that is a server port at that address wins, even against the flags, which it says is uncertain',
      { ports: [40000, 45000], known: ['server', undefined], votes: [3, 0] },
      1,
      'known-port',
      true,
    ],
    [
      'a port that was a client port at that address is the client (uncertain when every flag says otherwise)',
      { ports: [40000, 45000], known: [undefined, 'client'], votes: [3, 0] },
      1,
      'known-port',
      true,
    ],
    [
      'a port known at that address, with flags that agree',
      { ports: [40000, 45000], known: ['server', undefined], votes: [0, 2] },
      1,
      'known-port',
      false,
    ],
    [
      'a server port at that address against every flag, where the ranges side with it: certain',
      { ports: [8080, 45000], known: ['server', undefined], votes: [4, 0] },
      1,
      'known-port',
      false,
    ],
    [
      'a port only another pod of the workload served loses to flags that all agree the other way',
      { ports: [50051, 5432], known: ['server', undefined], knownAt: 'workload', votes: [3, 0] },
      0,
      'reply-flag',
      true,
    ],
    [
      'a low port facing a port only the workload served: the ranges, uncertain',
      { ports: [50051, 5432], known: ['server', undefined], knownAt: 'workload' },
      0,
      'port-range',
      true,
    ],
    [
      'a port the workload served, with flags that agree, against the ranges: known, uncertain',
      { ports: [50051, 5432], known: ['server', undefined], knownAt: 'workload', votes: [0, 2] },
      1,
      'known-port',
      true,
    ],
    [
      'a port the workload served, both ports ephemeral, no flags: known',
      { ports: [50051, 45000], known: ['server', undefined], knownAt: 'workload' },
      1,
      'known-port',
      false,
    ],
    [
      'both ends known as servers: the known ports do not decide',
      { ports: [40000, 45000], known: ['server', 'server'], votes: [0, 2] },
      1,
      'reply-flag',
      false,
    ],
    [
      'an earlier run of the same ends decides a later one, uncertain when every flag of it disagrees',
      { ports: [40000, 45000], earlier: 1, votes: [3, 0] },
      1,
      'known-port',
      true,
    ],
    [
      'an earlier run of the same ends, with flags that agree',
      { ports: [40000, 45000], earlier: 1, votes: [0, 2] },
      1,
      'known-port',
      false,
    ],
    [
      'an earlier run that agrees with a privileged port: the port',
      { ports: [80, 45000], earlier: 1, votes: [3, 0] },
      1,
      'port-range',
      false,
    ],
    ['an earlier run against a privileged port: the earlier run, uncertain', { ports: [80, 45000], earlier: 0 }, 0, 'known-port', true],
    ['a privileged port facing an ephemeral one beats wrong flags', { ports: [52380, 80], votes: [0, 5] }, 0, 'port-range', false],
    ['flags that agree decide between two unprivileged ports', { ports: [9090, 8080], votes: [0, 4] }, 1, 'reply-flag', false],
    [
      'flags that disagree between two service ports: a privileged port is the server',
      { ports: [9090, 443], votes: [2, 3] },
      0,
      'port-range',
      false,
    ],
    ['no flags: the ephemeral port is the client', { ports: [8080, 52380] }, 1, 'port-range', false],
    ['no flags: a privileged port is the server', { ports: [443, 8443] }, 1, 'port-range', false],
    ['flags that agree beat a privileged port between two service ports', { ports: [443, 8443], votes: [1, 0] }, 0, 'reply-flag', false],
    [
      'TCP, both ephemeral, flags disagree: the first request, uncertain',
      { ports: [40000, 45000], votes: [2, 2], firstRequest: [t(5), t(3)] },
      1,
      'first-seen',
      true,
    ],
    [
      'TCP, both ephemeral, no flags: the first sender, uncertain',
      { ports: [40000, 45000], firstSent: [t(9), t(2)] },
      1,
      'first-seen',
      true,
    ],
    [
      'UDP, both ephemeral, no flags: the first sender, as conntrack decides',
      { protocol: 'UDP', ports: [40000, 45000], firstSent: [t(0), t(7)] },
      0,
      'first-seen',
      false,
    ],
    [
      'SCTP, both ephemeral, no flags: the first sender',
      { protocol: 'SCTP', ports: [45000, 38412], firstSent: [t(0), t(1)] },
      0,
      'first-seen',
      false,
    ],
    [
      'UDP, both ephemeral, flags disagree: a guess, uncertain',
      { protocol: 'UDP', ports: [40000, 45000], votes: [1, 1], firstRequest: [t(4), t(2)] },
      1,
      'first-seen',
      true,
    ],
  ])('%s', (_name, over, client, basis, uncertain) => {
    expect(decideDirection({ ...base, ...over })).toEqual({ client, basis, uncertain });
  });
});
