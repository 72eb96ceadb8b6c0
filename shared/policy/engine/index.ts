/**
 * The policy engine: one set-based core that answers "which connections do these policies allow
 * from A to B" (as connection sets, for connlist, diff and unobserved pairs) and "is this one
 * connection allowed, and why" (for verify, lint and the AI review), in three values. Kubernetes
 * NetworkPolicies are judged by Kubernetes semantics; a set holding CiliumNetworkPolicies is judged
 * as Cilium enforces it (NetworkPolicies included, as Cilium translates them).
 */
import type { CiliumNetworkPolicy } from '../cilium-types';
import type { NetworkPolicy, RuleRef } from '../types';
import { ruleRefText } from '../types';
import { allows, type Allowance, type DirectionDetail, type PairDetail, type Point, type RuleAllowance } from './allowance';
import { CiliumPolicies, ciliumPair } from './cilium';
import { KubernetesPolicies, kubernetesPair } from './kubernetes';
import { connText, has, type ConnProtocol } from './conn-set';
import { endText, triAnd, type End, type Flow, type Tri } from './model';

export * from './allowance';
export * from './model';
export { effectivePolicyTypes, policyId } from './kubernetes';

export type Verdict3 = 'allowed' | 'blocked' | 'undecided';

export const verdictOf = (t: Tri): Verdict3 => (t === 'yes' ? 'allowed' : t === 'no' ? 'blocked' : 'undecided');

/** The verdict on one connection, with the rules that allow it or the reason it is blocked or undecided. */
export interface FlowVerdict {
  readonly verdict: Verdict3;
  /** Null when the end is not restricted in that direction (not a pod, or no policy selects it). */
  readonly egress: DirectionDetail | null;
  readonly ingress: DirectionDetail | null;
  /** The first rule (in policy order) that surely allows the connection, per direction. */
  readonly egressRule?: RuleRef;
  readonly ingressRule?: RuleRef;
  /** What the input does not tell that the verdict depends on, and what would tell it. */
  readonly unknowns: readonly string[];
  /** Allowed only by what the platform allows without a rule (Cilium's allow-localhost), not by the policies. */
  readonly implicit: boolean;
  /** One sentence per direction, built on demand. */
  readonly explanation: string;
}

export interface PolicyEngine {
  readonly flavor: 'kubernetes' | 'cilium';
  /** What the policies allow from `src` to `dst`, both directions. */
  pair(src: End, dst: End): PairDetail;
  /** Is this connection allowed? */
  evaluate(flow: Flow): FlowVerdict;
  /**
   * Every allow (and deny) rule of the policies, in order: the same objects the verdicts name, so a
   * rule can be looked up by identity.
   */
  readonly ruleRefs: readonly RuleRef[];
}

function firstRule(d: DirectionDetail | null, proto: ConnProtocol, port: number | undefined): RuleAllowance | undefined {
  if (!d) return undefined;
  for (const r of d.rules) {
    if (port === undefined ? allows(r.allowance, proto, undefined) === 'yes' : has(r.allowance.sure, proto, port)) return r;
  }
  return undefined;
}

function firstDeny(d: DirectionDetail | null, proto: ConnProtocol, port: number | undefined): RuleRef | undefined {
  if (!d) return undefined;
  for (const r of d.denies) if (allows(r.allowance, proto, port) !== 'no') return r.ref;
  return undefined;
}

function flowText(f: Flow): string {
  const what = f.protocol.startsWith('ICMP')
    ? f.port === undefined
      ? f.protocol
      : `${f.protocol} type ${f.port}`
    : `${f.port ?? 'unknown port'}/${f.protocol}`;
  return `${endText(f.src)} -> ${endText(f.dst)}:${what}`;
}

function directionText(
  name: 'egress' | 'ingress',
  d: DirectionDetail | null,
  t: Tri,
  rule: RuleAllowance | undefined,
  deny: RuleRef | undefined,
  f: Flow,
): string {
  if (!d || d.isolated === 'no') return `${name} not restricted`;
  if (t === 'yes') return rule ? `${name} allowed by ${rule.implicit ?? ruleRefText(rule.ref)}` : `${name} allowed`;
  if (t === 'no') {
    if (deny) return `${name} denied by ${ruleRefText(deny)}`;
    const what = f.port === undefined ? f.protocol : `${f.protocol} ${f.port}`;
    const other = d.direction === 'ingress' ? `from ${endText(f.src)}` : `to ${endText(f.dst)}`;
    return `${name} denied: selected by ${d.isolating.join(', ')}, and no rule allows ${what} ${other}`;
  }
  const detail = d.unknowns.length > 0 ? d.unknowns.join('; ') : `the rules allow ${connText(d.allowance.maybe)} at most`;
  return `${name} cannot be decided: ${detail}`;
}

const NO_UNKNOWNS: readonly string[] = [];

/** Builds the verdict on one flow from a pair's detail (one computation for every engine). */
export function flowVerdict(pair: PairDetail, f: Flow): FlowVerdict {
  const proto: ConnProtocol = f.protocol;
  const dirTri = (d: DirectionDetail | null): Tri => (d ? allows(d.allowance, proto, f.port) : 'yes');
  const e = dirTri(pair.egress);
  const i = dirTri(pair.ingress);
  const both = triAnd(e, i);
  const verdict = verdictOf(both);
  const egressRule = e === 'yes' ? firstRule(pair.egress, proto, f.port) : undefined;
  const ingressRule = i === 'yes' ? firstRule(pair.ingress, proto, f.port) : undefined;
  let unknowns: readonly string[] = NO_UNKNOWNS;
  if (both === 'maybe') {
    const list = [
      ...new Set([...(e === 'maybe' ? (pair.egress?.unknowns ?? []) : []), ...(i === 'maybe' ? (pair.ingress?.unknowns ?? []) : [])]),
    ];
    if (f.port === undefined) list.unshift('the input does not give the port');
    unknowns = list;
  }
  return {
    verdict,
    egress: pair.egress,
    ingress: pair.ingress,
    implicit: !!(egressRule?.implicit ?? ingressRule?.implicit),
    egressRule: egressRule?.implicit ? undefined : egressRule?.ref,
    ingressRule: ingressRule?.implicit ? undefined : ingressRule?.ref,
    unknowns,
    get explanation(): string {
      const word = verdict === 'allowed' ? 'allowed' : verdict === 'blocked' ? 'blocked' : 'undecided';
      const parts = [
        directionText('egress', pair.egress, e, egressRule, e === 'no' ? firstDeny(pair.egress, proto, f.port) : undefined, f),
        directionText('ingress', pair.ingress, i, ingressRule, i === 'no' ? firstDeny(pair.ingress, proto, f.port) : undefined, f),
      ];
      return `${flowText(f)} is ${word}: ${parts.join('; ')}.`;
    },
  };
}

/** The engine for a set of policies: Cilium's when any CiliumNetworkPolicy is in it, else Kubernetes'. */
export function policyEngine(
  policies: readonly NetworkPolicy[],
  cilium: readonly CiliumNetworkPolicy[] = [],
  flavor: 'kubernetes' | 'cilium' = cilium.length > 0 ? 'cilium' : 'kubernetes',
): PolicyEngine {
  const index = flavor === 'cilium' ? new CiliumPolicies(cilium, policies) : new KubernetesPolicies(policies);
  const pair = (src: End, dst: End, at?: Point): PairDetail =>
    index instanceof CiliumPolicies ? ciliumPair(index, src, dst, at) : kubernetesPair(index, src, dst, at);
  return {
    flavor,
    pair: (src, dst) => pair(src, dst),
    // At the flow's point: a rule for other ports is skipped before its peer is matched.
    evaluate: (f) => flowVerdict(pair(f.src, f.dst, f.port === undefined ? undefined : { protocol: f.protocol, port: f.port }), f),
    ruleRefs: index.ruleRefs,
  };
}

export type { Allowance };
