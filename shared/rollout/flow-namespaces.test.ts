import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/types';
import { invertNamespaceMap, unmapFlow } from './flow-namespaces';
import { parseNamespaceMap } from './namespace-map';

describe('flows read back in the source namespaces', () => {
  const map = parseNamespaceMap(['payments=payments-staging', 'data=data-staging']);
  const flow: FlowRecord = {
    time: 0,
    verdict: 'DROPPED',
    src: { kind: 'workload', namespace: 'payments-staging', name: 'api', identity: { app: 'api' } },
    dst: { kind: 'workload', namespace: 'data-staging', name: 'db', identity: { app: 'db' } },
    protocol: 'TCP',
    port: 5432,
    isReply: false,
    observer: 'sender',
    count: 1,
    dstService: { namespace: 'data-staging', name: 'db' },
  };

  it('turns the map around', () => {
    expect([...invertNamespaceMap(map)]).toEqual([
      ['payments-staging', 'payments'],
      ['data-staging', 'data'],
    ]);
  });

  it('renames workloads and the Service of the target namespaces, and leaves the rest', () => {
    const back = unmapFlow({ ...flow, src: { kind: 'entity', entity: 'host' } }, map);
    expect(back.src).toEqual({ kind: 'entity', entity: 'host' });
    expect(back.dst).toMatchObject({ namespace: 'data', name: 'db' });
    expect(back.dstService).toEqual({ namespace: 'data', name: 'db' });
    expect(unmapFlow(flow, map).src).toMatchObject({ namespace: 'payments' });
    expect(unmapFlow(flow, new Map())).toBe(flow);
  });
});
