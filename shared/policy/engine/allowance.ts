/**
 * What a rule, a direction or a pair of peers allows, in three values: `sure` is allowed whatever
 * the unknowns turn out to be, `maybe` may be allowed (sure ⊆ maybe); what is outside `maybe` is
 * blocked. The shapes both engines (Kubernetes and Cilium) return.
 */
import { ALL_CONNS, connOf, coverage, has, intersect, NO_CONNS, subtract, union, type ConnProtocol, type ConnSet } from './conn-set';
import type { End, Tri } from './model';
import type { RuleRef } from '../types';

export interface Allowance {
  readonly sure: ConnSet;
  readonly maybe: ConnSet;
}

export const NOTHING: Allowance = { sure: NO_CONNS, maybe: NO_CONNS };

export const exactly = (c: ConnSet): Allowance => (c === ALL_CONNS ? EVERYTHING : c === NO_CONNS ? NOTHING : { sure: c, maybe: c });

export const EVERYTHING: Allowance = { sure: ALL_CONNS, maybe: ALL_CONNS };

/** One connection's protocol and port (ICMP: type): a direction evaluated there only is much cheaper than as whole sets. */
export interface Point {
  readonly protocol: ConnProtocol;
  readonly port: number;
}

/**
 * Adds rule allowances up: as whole sets, or, at one point, as two booleans (the result then holds
 * only that point). `admits` says whether a rule can matter at the point, before its peer is matched.
 */
export class AllowanceSum {
  private sure = NO_CONNS;
  private maybe = NO_CONNS;
  private pointSure = false;
  private pointMaybe = false;

  constructor(private readonly at?: Point) {}

  admits(a: Allowance): boolean {
    return !this.at || has(a.maybe, this.at.protocol, this.at.port);
  }

  add(a: Allowance): void {
    if (this.at) {
      if (has(a.sure, this.at.protocol, this.at.port)) this.pointSure = true;
      if (has(a.maybe, this.at.protocol, this.at.port)) this.pointMaybe = true;
      return;
    }
    this.sure = union(this.sure, a.sure);
    this.maybe = union(this.maybe, a.maybe);
  }

  result(): Allowance {
    if (!this.at) return { sure: this.sure, maybe: this.maybe };
    if (!this.pointMaybe) return NOTHING;
    const point = pointAllowance(this.at);
    return this.pointSure ? point : { sure: NO_CONNS, maybe: point.maybe };
  }
}

/** `exactly` the one connection of a point, made once per point (a verify run asks for the same few ports many times). */
const points = new Map<ConnProtocol, Map<number, Allowance>>();
function pointAllowance(at: Point): Allowance {
  let byPort = points.get(at.protocol);
  if (!byPort) points.set(at.protocol, (byPort = new Map<number, Allowance>()));
  let a = byPort.get(at.port);
  if (!a) {
    if (byPort.size >= 4096) byPort.clear();
    byPort.set(at.port, (a = exactly(connOf(at.protocol, at.port, at.port))));
  }
  return a;
}

export function unionAllowance(a: Allowance, b: Allowance): Allowance {
  return { sure: union(a.sure, b.sure), maybe: union(a.maybe, b.maybe) };
}

export function intersectAllowance(a: Allowance, b: Allowance): Allowance {
  return { sure: intersect(a.sure, b.sure), maybe: intersect(a.maybe, b.maybe) };
}

/** Allowed minus denied: sure only where no deny may apply, maybe wherever no deny surely applies. */
export function subtractAllowance(allow: Allowance, deny: Allowance): Allowance {
  return { sure: subtract(allow.sure, deny.maybe), maybe: subtract(allow.maybe, deny.sure) };
}

/** Is the connection allowed: one port (or ICMP type), or, with `value` undefined, whichever it was. */
export function allows(a: Allowance, protocol: ConnProtocol, value: number | undefined): Tri {
  if (value !== undefined) return has(a.sure, protocol, value) ? 'yes' : has(a.maybe, protocol, value) ? 'maybe' : 'no';
  if (coverage(a.sure, protocol) === 'all') return 'yes';
  return coverage(a.maybe, protocol) === 'none' ? 'no' : 'maybe';
}

/** One rule of one policy that may apply in a direction, with what it allows (or denies). */
export interface RuleAllowance {
  readonly ref: RuleRef;
  readonly allowance: Allowance;
  /** Why it only may apply. */
  readonly why?: readonly string[];
  /** Set for what the platform allows without a rule (Cilium's allow-localhost): said instead of the ref. */
  readonly implicit?: string;
}

/**
 * The policies that select an end for one direction, each named once: a policy can be met more than
 * once (a CiliumNetworkPolicy's `specs`, the same document given twice), and a policy that surely
 * selects the end is not also listed as maybe selecting it. Explanations list these names.
 */
export class SelectingPolicies {
  readonly isolating: string[] = [];
  readonly maybeIsolating: string[] = [];

  /** Notes that policy `id` selects the end (`sure`) or may select it. */
  add(id: string, sure: boolean): void {
    if (this.isolating.includes(id)) return;
    if (!sure) {
      if (!this.maybeIsolating.includes(id)) this.maybeIsolating.push(id);
      return;
    }
    const maybe = this.maybeIsolating.indexOf(id);
    if (maybe >= 0) this.maybeIsolating.splice(maybe, 1);
    this.isolating.push(id);
  }
}

/** What one end's policies allow in one direction (its egress, or its ingress). */
export interface DirectionDetail {
  readonly self: End;
  readonly direction: 'ingress' | 'egress';
  /** Does a policy restrict this direction? */
  readonly isolated: Tri;
  /** Policies that surely / maybe select the end for this direction. */
  readonly isolating: readonly string[];
  readonly maybeIsolating: readonly string[];
  /** Allow rules that may apply, in policy order. */
  readonly rules: readonly RuleAllowance[];
  /** Deny rules that may apply (Cilium). */
  readonly denies: readonly RuleAllowance[];
  readonly allowance: Allowance;
  /** Why parts of the answer are 'maybe', and what would decide them. */
  readonly unknowns: readonly string[];
}

/** What the policies allow from `src` to `dst`: egress of one and ingress of the other (null: not restricted there). */
export interface PairDetail {
  readonly egress: DirectionDetail | null;
  readonly ingress: DirectionDetail | null;
  readonly allowance: Allowance;
}

/** A pair's allowance: what both the source's egress and the destination's ingress allow (null: not restricted). */
export function pairAllowance(egress: DirectionDetail | null, ingress: DirectionDetail | null): Allowance {
  const all = exactly(ALL_CONNS);
  return intersectAllowance(egress?.allowance ?? all, ingress?.allowance ?? all);
}

/** Where the rules of one direction are added up, for `directionDetail`. */
export interface DirectionSum {
  readonly sum: AllowanceSum;
  readonly selecting: SelectingPolicies;
  readonly rules: RuleAllowance[];
  unknowns?: Set<string>;
  /** Deny rules (Cilium), added up apart: they win over every allow. */
  denies?: { readonly rules: RuleAllowance[]; readonly sum: AllowanceSum };
}

/** An empty sum, as a whole set or at one point. */
export function directionSum(at?: Point): DirectionSum {
  return { sum: new AllowanceSum(at), selecting: new SelectingPolicies(), rules: [] };
}

/** What a pod's own node may do whatever the policies say, per direction: the reasons to say, by engine. */
export interface ResidentNode {
  /** Ingress from the node: allowed, said instead of a rule reference. */
  readonly ingress: string;
  /** Egress to the node, when the engine cannot tell whether it is allowed: the reason it only may be. */
  readonly egress?: string;
}

const MAYBE_ALL: Allowance = { sure: NO_CONNS, maybe: ALL_CONNS };

/**
 * Adds what the platform allows without a rule between a pod and its own node (the `host` entity).
 * Ingress: Kubernetes documents that a NetworkPolicy cannot block traffic from a pod's resident node
 * (concepts/services-networking/network-policies, "What you can't do with network policies"), and
 * Cilium does the same by default (`allow-localhost`), where only an ingressDeny from the host entity
 * stops it. Egress, with `reasons.egress`: the Kubernetes docs say traffic to that node is always
 * allowed too (ipBlock, "exception"), yet CNIs differ (Cilium enforces it), so it only may be allowed.
 * Other peers are left alone.
 */
export function addResidentNode(out: DirectionSum, direction: 'ingress' | 'egress', other: End, reasons: ResidentNode): void {
  if (other.kind !== 'entity' || other.entity !== 'host') return;
  const ref = { policy: 'platform', direction, index: 0 };
  if (direction === 'ingress') {
    out.rules.push({ ref, allowance: EVERYTHING, implicit: reasons.ingress });
    out.sum.add(EVERYTHING);
  } else if (reasons.egress) {
    out.rules.push({ ref, allowance: MAYBE_ALL, why: [reasons.egress] });
    (out.unknowns ??= new Set()).add(reasons.egress);
    out.sum.add(MAYBE_ALL);
  }
}

const NO_RULES: readonly RuleAllowance[] = [];
const NO_UNKNOWNS: readonly string[] = [];

/**
 * What a direction allows once its rules are added up: everything when no policy selects the end for
 * it; what the rules allow when one surely does; when one only may, surely what the rules surely allow
 * and maybe anything. Deny rules are taken off: surely-allowed only where no deny may apply.
 */
export function directionDetail(self: End, direction: 'ingress' | 'egress', out: DirectionSum): DirectionDetail {
  const { isolating, maybeIsolating } = out.selecting;
  const isolated: Tri = isolating.length > 0 ? 'yes' : maybeIsolating.length > 0 ? 'maybe' : 'no';
  const summed = isolated === 'no' ? EVERYTHING : out.sum.result();
  const allowed: Allowance = isolated === 'maybe' ? { sure: summed.sure, maybe: ALL_CONNS } : summed;
  return {
    self,
    direction,
    isolated,
    isolating,
    maybeIsolating,
    rules: out.rules,
    denies: out.denies?.rules ?? NO_RULES,
    allowance: out.denies ? subtractAllowance(allowed, out.denies.sum.result()) : allowed,
    unknowns: out.unknowns ? [...out.unknowns] : NO_UNKNOWNS,
  };
}
