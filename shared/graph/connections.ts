// The connection tracker: settles client and server per connection (protocol, both addresses and
// both ports) instead of per packet (DESIGN.md, "Connection"), and hands every record on turned to
// its connection's direction. Split reads (worker threads) export what they could not settle and
// the main thread merges the parts in file order, so a split never changes the result.
import { decideDirection, earlier, serverByPrivilege, type Moment } from '../flows/direction';
import type { DirectionBasis, FlowRecord } from '../flows/types';
import { BASES } from './accumulators';
import { AddressHashes, connectionKey, endpointKey, hash53, nodeKey, protocolCode } from './keys';

/** One end of a connection: 0 is the lower of its two `address|port` strings, 1 the higher. */
export type End = 0 | 1;

/** A settled connection that saw nothing for this long is over: a later packet starts a new one. */
export const IDLE_MS = 10 * 60_000;
/**
 * A later run of the same addresses and ports this soon after the last one, without a handshake of
 * its own, follows the direction the last run was settled with (conntrack that forgot an idle
 * connection re-creates it from whichever packet comes next, and turns its flags around).
 */
export const PRIOR_MS = 30 * 60_000;
/** How far out of time order records may arrive before a settled entry is dropped from memory. */
const SLACK_MS = 10 * 60_000;
/** Records held for connections nothing has settled yet; past this, the oldest are decided early. */
const PENDING_CAP = 150_000;
/** Settled connections kept at once; past this, the oldest are forgotten (and counted). */
const TABLE_CAP = 400_000;
const SWEEP_EVERY = 8192;
const KNOWN_CAP = 250_000;

/**
 * Where records go once their connection's direction is settled: `uncertain` on every record of a
 * guessed connection, `first` on the first record of each decision (to count the guess once).
 */
export type SettledSink = (r: FlowRecord, basis: DirectionBasis, uncertain: boolean, first: boolean) => void;

interface Conn {
  /** The settled client end, once a handshake or L7 message said so. */
  client?: End;
  basis?: DirectionBasis;
  lastTime: number;
  /** Worker mode: the first settlement in this part of the file, and the records before it. */
  first?: End;
  firstBasis?: DirectionBasis;
  firstTime?: number;
  head?: FlowRecord[];
  /** Records waiting for a settlement: before any (single tracker) or after one expired. */
  pending?: FlowRecord[];
  /** The settlement the waiting records came after (see PRIOR_MS): its client end and last time. */
  prior?: Prior;
}

interface Prior {
  readonly client: End;
  readonly lastTime: number;
}

/** An open connection of a part of the file, as the part leaves it (see TrackerExport). */
export interface OpenConnection {
  readonly key: number;
  readonly head?: FlowRecord[];
  readonly first?: End;
  readonly firstBasis?: number;
  readonly firstTime?: number;
  readonly final?: { readonly client: End; readonly basis: number; readonly lastTime: number };
  readonly pending?: FlowRecord[];
  readonly prior?: Prior;
}

/** What a part of the file tells the main thread about its connections (typed arrays cross threads cheaply). */
export interface TrackerExport {
  readonly open: OpenConnection[];
  /** Settled at the part's end (records far out of order may still fold into them): key, client end, basis index, last time. */
  readonly settled: { keys: Float64Array; clients: Uint8Array; bases: Uint8Array; last: Float64Array };
  /** Connections whose first record in the part settled them: key, client end, basis index, time. */
  readonly firsts: { keys: Float64Array; clients: Uint8Array; bases: Uint8Array; times: Float64Array };
  readonly knownServers: Int32Array;
  readonly knownClients: Int32Array;
  readonly forgotten: number;
  readonly decidedEarly: number;
  readonly maxTime: number;
}

/**
 * What a connection's end is known by: its address, or for a record without addresses (an
 * exporter's field mask) its pod, `namespace/pod`, or without a pod name its workload,
 * `namespace/name#workload`. Undefined when the record has none of them (an entity without an address).
 */
export function hostOf(r: FlowRecord, end: 'client' | 'server'): string | undefined {
  // Called several times per record: no arrays or objects built on the way.
  const client = end === 'client';
  const ip = client ? r.srcIp : r.dstIp;
  if (ip !== undefined) return ip;
  const peer = client ? r.src : r.dst;
  if (peer.kind !== 'workload') return undefined;
  const pod = client ? r.srcPod : r.dstPod;
  return pod !== undefined ? `${peer.namespace}/${pod}` : `${peer.namespace}/${peer.name}#workload`;
}

/**
 * The ports a record's connection is tracked by: the client's and the server's, 0 for one the
 * record left out (a field mask that drops them, `l4` without ports). All port-less packets between
 * two ends are then one connection, so that their direction is settled together and never makes a
 * reverse edge of its own.
 */
const clientPortOf = (r: FlowRecord): number => r.clientPort ?? 0;
const serverPortOf = (r: FlowRecord): number => (typeof r.port === 'number' ? r.port : 0);

/** True when the record gives both ports: only then may their ranges say anything about the direction. */
const bothPorts = (r: FlowRecord): boolean => typeof r.clientPort === 'number' && typeof r.port === 'number';

/** The end a record guessed to be the client: 0 when its client's `host|port` sorts first. */
function guessOf(r: FlowRecord): End {
  const c = hostOf(r, 'client')!;
  const s = hostOf(r, 'server')!;
  return c < s || (c === s && clientPortOf(r) <= serverPortOf(r)) ? 0 : 1;
}

const other = (e: End): End => (e === 0 ? 1 : 0);

/** The client end of a settlement a run starting at `time` follows: one at most PRIOR_MS before it. */
function usablePrior(prior: Prior | undefined, time: number): End | undefined {
  return prior && !(time - prior.lastTime > PRIOR_MS) ? prior.client : undefined;
}

/**
 * True for records the tracker can settle: Hubble packets (TCP, UDP, SCTP) with both ends known
 * (see hostOf), with their ports or without (see clientPortOf).
 */
export function isTrackable(r: FlowRecord): boolean {
  return r.clues !== undefined && !r.protocol.startsWith('ICMP') && hostOf(r, 'client') !== undefined && hostOf(r, 'server') !== undefined;
}

/** The record turned around: the other end is the client (the packet itself is unchanged). */
function turned(r: FlowRecord): FlowRecord {
  return {
    ...r,
    src: r.dst,
    dst: r.src,
    srcIp: r.dstIp,
    dstIp: r.srcIp,
    srcPod: r.dstPod,
    dstPod: r.srcPod,
    srcLabels: r.dstLabels,
    dstLabels: r.srcLabels,
    // A port the record left out stays unknown (never ICMP's "no port", a rule for every port).
    port: r.clientPort ?? 'unknown',
    clientPort: typeof r.port === 'number' ? r.port : undefined,
    isReply: !r.isReply,
    dstService: undefined,
  };
}

function oriented(r: FlowRecord, client: End, guess: End = guessOf(r)): FlowRecord {
  return client === guess ? r : turned(r);
}

/** The end that opened the connection, when the record alone settles it. */
function settlement(r: FlowRecord, guess: End): { client: End; basis: DirectionBasis } | undefined {
  const opener = r.clues?.opener;
  if (!opener) return undefined;
  const sender = r.isReply ? other(guess) : guess;
  const client = opener === 'syn' || opener === 'l7-request' ? sender : other(sender);
  return { client, basis: opener === 'syn' || opener === 'syn-ack' ? 'handshake' : 'l7' };
}

const momentOf = (r: FlowRecord): Moment => ({ ms: r.time, nanos: r.nanos ?? 0 });

/**
 * Splits waiting records by the run of a settlement at `at`: the records joined to it by silences
 * of at most IDLE_MS (`run`), and the runs before and after it (other connections on the same ends).
 */
function runAround(records: readonly FlowRecord[], at: number): { before: FlowRecord[]; run: FlowRecord[]; after: FlowRecord[] } {
  const sorted = [...records].sort((a, b) => a.time - b.time);
  let lo = at;
  let hi = at;
  // Times at or after `at`, nearest first, extend the run forward; those before it, backward.
  for (const x of sorted) if (x.time >= at && !(x.time - hi > IDLE_MS)) hi = Math.max(hi, x.time);
  for (let i = sorted.length - 1; i >= 0; i--) if (sorted[i].time < at && !(lo - sorted[i].time > IDLE_MS)) lo = sorted[i].time;
  const before: FlowRecord[] = [];
  const run: FlowRecord[] = [];
  const after: FlowRecord[] = [];
  for (const x of records) (x.time < lo ? before : x.time > hi ? after : run).push(x);
  return { before, run, after };
}

export class ConnectionTracker {
  private readonly table = new Map<number, Conn>();
  /** Endpoint keys (see endpointKey) of servers a handshake or L7 message settled, by address and by workload. */
  private readonly knownServers = new Set<number>();
  /** Endpoint keys of clients a handshake or L7 message settled. */
  private readonly knownClients = new Set<number>();
  private pendingRecords = 0;
  private inserts = 0;
  private maxTime = -Infinity;
  private forgotten = 0;
  private decidedEarly = 0;
  private readonly firsts: { keys: number[]; clients: number[]; bases: number[]; times: number[] } = {
    keys: [],
    clients: [],
    bases: [],
    times: [],
  };

  /**
   * @param sink receives every record once its connection is settled
   * @param part true in a worker that reads one part of a file: records before the part's first
   *   settlement are kept for the main thread, which knows what came before the part
   */
  constructor(
    private readonly sink: SettledSink,
    private readonly part = false,
    private readonly hashes = new AddressHashes(),
  ) {}

  /** The connection's key: its protocol and both ends, in a fixed order. */
  private keyOf(r: FlowRecord, guess: End): number {
    const p = protocolCode(r.protocol);
    const c = this.hashes.of(hostOf(r, 'client')!);
    const s = this.hashes.of(hostOf(r, 'server')!);
    const cp = clientPortOf(r);
    const sp = serverPortOf(r);
    return guess === 0 ? connectionKey(p, c, cp, s, sp) : connectionKey(p, s, sp, c, cp);
  }

  /** Adds one trackable record (see isTrackable). */
  add(r: FlowRecord): void {
    const guess = guessOf(r);
    const key = this.keyOf(r, guess);
    const t = r.time;
    if (t > this.maxTime) this.maxTime = t;
    const strong = settlement(r, guess);
    let conn = this.table.get(key);
    if (!conn) {
      conn = { lastTime: -Infinity };
      this.table.set(key, conn);
      if (++this.inserts % SWEEP_EVERY === 0) this.sweep();
    }
    if (strong) {
      // A new connection, or one turned around: what it settles is worth remembering once.
      const fresh = conn.client !== strong.client || t - conn.lastTime > IDLE_MS;
      this.settle(key, conn, strong.client, strong.basis, t, fresh);
      const o = oriented(r, strong.client, guess);
      if (fresh) this.learn(o);
      this.sink(o, strong.basis, false, false);
    } else this.foldOrWait(conn, r, guess, key);
  }

  /**
   * A record with no opener: it follows the connection's settlement while that is active; else a
   * privileged port facing an ephemeral one settles it at once (the ports are the connection's own,
   * so only a handshake can say otherwise); else it waits for a settlement or the end of the
   * capture, when what the whole capture knows of its ports decides.
   */
  private foldOrWait(conn: Conn, r: FlowRecord, guess: End = guessOf(r), key?: number): void {
    if (conn.client !== undefined && !(r.time - conn.lastTime > IDLE_MS)) {
      conn.lastTime = Math.max(conn.lastTime, r.time) || r.time;
      this.sink(oriented(r, conn.client, guess), conn.basis!, false, false);
      return;
    }
    // Over for longer than IDLE_MS: this is a new connection on the same addresses and ports, which
    // follows the last one's direction unless something of its own settles it (see decide).
    if (conn.client !== undefined) conn.prior = { client: conn.client, lastTime: conn.lastTime };
    conn.client = undefined;
    conn.basis = undefined;
    const server = bothPorts(r) ? serverByPrivilege(r.clientPort as number, r.port as number) : undefined;
    const client = server === 1 ? guess : other(guess);
    const prior = usablePrior(conn.prior, r.time);
    if (server !== undefined && key !== undefined && (prior === undefined || prior === client)) {
      this.settle(key, conn, client, 'port-range', r.time, true);
      this.sink(oriented(r, client, guess), 'port-range', false, false);
      return;
    }
    if (this.part && conn.first === undefined) (conn.head ??= []).push(r);
    else (conn.pending ??= []).push(r);
    if (++this.pendingRecords > PENDING_CAP) this.decideEarly();
  }

  /**
   * Settles a connection at time `at` (`fresh`: a connection of its own, not more of the settled
   * one). Records that waited for it follow when they are of its run (no silence longer than
   * IDLE_MS between them and `at`); runs before it were other connections on the same ends and are
   * decided on their own; runs after it keep waiting, for a settlement of their own or the end.
   */
  private settle(key: number, conn: Conn, client: End, basis: DirectionBasis, at: number, fresh: boolean): void {
    if (this.part && conn.first === undefined) {
      conn.first = client;
      conn.firstBasis = basis;
      conn.firstTime = at;
      if (!conn.head) {
        this.firsts.keys.push(key);
        this.firsts.clients.push(client);
        this.firsts.bases.push(BASES.indexOf(basis));
        this.firsts.times.push(at);
      }
    }
    conn.client = client;
    conn.basis = basis;
    conn.lastTime = fresh ? at : Math.max(conn.lastTime, at);
    if (!conn.pending) return;
    const { before, run, after } = runAround(conn.pending, at);
    const earlier = conn.prior;
    this.pendingRecords -= conn.pending.length - after.length;
    conn.pending = after.length > 0 ? after : undefined;
    for (const x of run) this.sink(oriented(x, client), basis, false, false);
    if (fresh) conn.lastTime = run.reduce((m, x) => Math.max(m, x.time), at);
    conn.prior = after.length > 0 ? { client, lastTime: conn.lastTime } : undefined;
    this.decide(before, earlier);
  }

  private learn(o: FlowRecord): void {
    const p = protocolCode(o.protocol);
    if (this.knownServers.size < KNOWN_CAP) {
      this.knownServers.add(endpointKey(p, this.hashes.of(hostOf(o, 'server')!), serverPortOf(o)));
      if (o.dst.kind === 'workload') this.knownServers.add(endpointKey(p, hash53(nodeKey(o.dst)), serverPortOf(o)));
    }
    if (this.knownClients.size < KNOWN_CAP) this.knownClients.add(endpointKey(p, this.hashes.of(hostOf(o, 'client')!), clientPortOf(o)));
  }

  /** Drops settled connections that are long over; past the cap, the oldest settled ones. */
  private sweep(): void {
    if (this.table.size < 50_000) return;
    // Kept while a later run of its ends could still follow it (see PRIOR_MS).
    const before = this.maxTime - PRIOR_MS - SLACK_MS;
    for (const [key, c] of this.table) {
      if (c.client !== undefined && !c.head && !c.pending && c.lastTime < before) this.table.delete(key);
    }
    if (this.table.size <= TABLE_CAP) return;
    for (const [key, c] of this.table) {
      if (this.table.size <= TABLE_CAP * 0.9) break;
      if (c.client !== undefined && !c.head && !c.pending) {
        this.table.delete(key);
        this.forgotten++;
      }
    }
  }

  /**
   * Too many records wait for a settlement: decide the connections that waited longest with what is
   * known so far (in a part of a file, also those waiting for what came before the part). The graph
   * warns that this happened; a capture of ordinary traffic never gets here.
   */
  private decideEarly(): void {
    for (const [key, c] of this.table) {
      if (this.pendingRecords <= PENDING_CAP * 0.75) break;
      const waiting = c.head && c.first === undefined ? c.head : c.pending;
      if (!waiting) continue;
      if (waiting === c.head) c.head = undefined;
      else c.pending = undefined;
      this.pendingRecords -= waiting.length;
      this.decidedEarly++;
      this.decide(waiting, c.prior);
      if (c.client === undefined && !c.head && !c.pending) this.table.delete(key);
    }
  }

  /**
   * Settles what no handshake, L7 message or port range settled, from all its records (see
   * decideDirection); records more than IDLE_MS apart are separate connections, decided apart, and
   * each follows the one before it when that is at most PRIOR_MS earlier (`prior`: a settlement
   * before the first of them).
   */
  private decide(records: readonly FlowRecord[], prior?: Prior): void {
    if (records.length === 0) return;
    const sorted = [...records].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    let earlier = prior;
    let from = 0;
    for (let i = 1; i <= sorted.length; i++) {
      if (i === sorted.length || sorted[i].time - sorted[i - 1].time > IDLE_MS) {
        const run = sorted.slice(from, i);
        const client = this.decideOne(run, usablePrior(earlier, run[0].time));
        earlier = { client, lastTime: run[run.length - 1].time };
        from = i;
      }
    }
  }

  /** Decides one run of records (`before`: the client end the run before it was settled with); returns its client end. */
  private decideOne(records: readonly FlowRecord[], before: End | undefined): End {
    const r0 = records[0];
    const g0 = guessOf(r0);
    // End 0 and 1 as the connection numbers them, with each end's address, port and peer.
    const side = (end: End) => {
      const asClient = end === g0;
      return {
        host: hostOf(r0, asClient ? 'client' : 'server')!,
        port: asClient ? clientPortOf(r0) : serverPortOf(r0),
        peer: asClient ? r0.src : r0.dst,
      };
    };
    const e = [side(0), side(1)] as const;
    const p = protocolCode(r0.protocol);
    // What is known of the very address comes first, then what is known of its workload.
    const atHost = e.map(({ host, port }) => {
      const at = endpointKey(p, this.hashes.of(host), port);
      return this.knownServers.has(at) ? 'server' : this.knownClients.has(at) ? 'client' : undefined;
    });
    const knownAt = atHost[0] || atHost[1] ? 'address' : 'workload';
    const known = (
      knownAt === 'address'
        ? atHost
        : e.map(({ port, peer }) =>
            peer.kind === 'workload' && this.knownServers.has(endpointKey(p, hash53(nodeKey(peer)), port)) ? 'server' : undefined,
          )
    ) as [('server' | 'client')?, ('server' | 'client')?];
    const votes: [number, number] = [0, 0];
    const firstSent: [Moment?, Moment?] = [undefined, undefined];
    const firstRequest: [Moment?, Moment?] = [undefined, undefined];
    for (const r of records) {
      const guess = guessOf(r);
      const sender = r.isReply ? other(guess) : guess;
      const m = momentOf(r);
      if (earlier(m, firstSent[sender])) firstSent[sender] = m;
      const claim = r.clues?.claim;
      if (claim === 'request') {
        votes[sender]++;
        if (earlier(m, firstRequest[sender])) firstRequest[sender] = m;
      } else if (claim === 'reply') votes[other(sender)]++;
    }
    const d = decideDirection({
      protocol: r0.protocol,
      // Ports the records left out say nothing: two privileged-looking zeros decide nothing by range.
      ports: bothPorts(r0) ? [e[0].port, e[1].port] : [0, 0],
      known,
      knownAt,
      earlier: before,
      votes,
      firstSent,
      firstRequest,
    });
    records.forEach((r, i) => this.sink(oriented(r, d.client), d.basis, d.uncertain, i === 0));
    return d.client;
  }

  /** The part's open connections and settlements, for the main thread (worker mode). */
  export(): TrackerExport {
    const open: OpenConnection[] = [];
    const settled = { keys: [] as number[], clients: [] as number[], bases: [] as number[], last: [] as number[] };
    for (const [key, c] of this.table) {
      const final = c.client !== undefined ? { client: c.client, basis: BASES.indexOf(c.basis!), lastTime: c.lastTime } : undefined;
      if (c.head || c.pending) {
        open.push({
          key,
          ...(c.head ? { head: c.head } : {}),
          ...(c.first !== undefined ? { first: c.first, firstBasis: BASES.indexOf(c.firstBasis!), firstTime: c.firstTime } : {}),
          ...(final ? { final } : {}),
          ...(c.pending ? { pending: c.pending } : {}),
          ...(c.prior ? { prior: c.prior } : {}),
        });
      } else if (final) {
        // Every settlement, even one long over: a record far out of time order in a later part
        // still folds into it, as it would on one thread (the main thread sweeps them as one would).
        settled.keys.push(key);
        settled.clients.push(final.client);
        settled.bases.push(final.basis);
        settled.last.push(final.lastTime);
      }
    }
    return {
      open,
      settled: {
        keys: Float64Array.from(settled.keys),
        clients: Uint8Array.from(settled.clients),
        bases: Uint8Array.from(settled.bases),
        last: Float64Array.from(settled.last),
      },
      firsts: {
        keys: Float64Array.from(this.firsts.keys),
        clients: Uint8Array.from(this.firsts.clients),
        bases: Uint8Array.from(this.firsts.bases),
        times: Float64Array.from(this.firsts.times),
      },
      knownServers: Int32Array.from(this.knownServers),
      knownClients: Int32Array.from(this.knownClients),
      forgotten: this.forgotten,
      decidedEarly: this.decidedEarly,
      maxTime: this.maxTime,
    };
  }

  /**
   * Continues this tracker (the part before) with the export of the next part of the file, as if
   * one tracker had read both: the part's records that came before its first settlement meet the
   * state this tracker left, and what waited here meets the part's first settlement.
   */
  merge(x: TrackerExport): void {
    for (const s of x.knownServers) if (this.knownServers.size < KNOWN_CAP) this.knownServers.add(s);
    for (const k of x.knownClients) if (this.knownClients.size < KNOWN_CAP) this.knownClients.add(k);
    this.forgotten += x.forgotten;
    this.decidedEarly += x.decidedEarly;
    const seen = new Set<number>();
    for (const o of x.open) {
      seen.add(o.key);
      let c = this.table.get(o.key);
      if (!c) this.table.set(o.key, (c = { lastTime: -Infinity }));
      for (const r of o.head ?? []) this.foldOrWait(c, r, guessOf(r), o.key);
      if (o.first !== undefined) this.settle(o.key, c, o.first, BASES[o.firstBasis!], o.firstTime ?? NaN, true);
      if (o.final) Object.assign(c, { client: o.final.client, basis: BASES[o.final.basis], lastTime: o.final.lastTime });
      else if (o.first !== undefined) c.client = undefined;
      if (o.prior) c.prior = o.prior;
      if (o.pending) {
        (c.pending ??= []).push(...o.pending);
        this.pendingRecords += o.pending.length;
      }
    }
    const { firsts, settled } = x;
    for (let i = 0; i < firsts.keys.length; i++) {
      const key = firsts.keys[i];
      const c = this.table.get(key);
      if (!c || seen.has(key)) continue;
      if (c.pending) this.settle(key, c, firsts.clients[i] as End, BASES[firsts.bases[i]], firsts.times[i], true);
      // The part's own state follows from `settled` below; what is not there is over. Records of
      // a later run that still wait stay.
      if (c.pending) Object.assign(c, { client: undefined, basis: undefined });
      else this.table.delete(key);
    }
    for (let i = 0; i < settled.keys.length; i++) {
      const state = { client: settled.clients[i] as End, basis: BASES[settled.bases[i]], lastTime: settled.last[i] };
      const c = this.table.get(settled.keys[i]);
      if (c?.pending) Object.assign(c, state);
      else this.table.set(settled.keys[i], state);
    }
    this.maxTime = Math.max(this.maxTime, x.maxTime);
    this.sweep();
  }

  /** Decides every connection still waiting and hands its records on. */
  finish(): { forgotten: number; decidedEarly: number } {
    for (const c of this.table.values()) {
      if (c.head && c.first !== undefined) {
        for (const r of c.head) if (!(c.firstTime! - r.time > IDLE_MS)) this.sink(oriented(r, c.first), c.firstBasis!, false, false);
        this.decide(c.head.filter((r) => c.firstTime! - r.time > IDLE_MS));
      } else if (c.head) this.decide(c.head);
      if (c.pending) this.decide(c.pending, c.prior);
      c.head = undefined;
      c.pending = undefined;
    }
    this.pendingRecords = 0;
    return { forgotten: this.forgotten, decidedEarly: this.decidedEarly };
  }
}
