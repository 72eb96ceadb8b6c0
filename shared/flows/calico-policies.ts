import type { PolicyHit, RecordPolicies } from './types';

// The policies Calico reports acting on a flow, in its two wire forms: Calico Enterprise's
// `<index>|<tier>|<policy name>|<action>|<rule index>` strings (flow-log data types, "Format of the
// policies field") and Goldmane's `PolicyTrace` of `PolicyHit` objects (goldmane/proto/api.proto).
// Calico's own conversion between the two is goldmane/proto `PolicyHit.ToString` / `HitFromString`.

type Action = PolicyHit['action'];

interface IndexedHit {
  readonly index: number;
  readonly hit: PolicyHit;
}

/** Goldmane `PolicyKind` enum values, for encoders that write enums as numbers. */
const KIND_NUMBERS: Record<number, string> = {
  1: 'CalicoNetworkPolicy',
  2: 'GlobalNetworkPolicy',
  3: 'StagedNetworkPolicy',
  4: 'StagedGlobalNetworkPolicy',
  5: 'StagedKubernetesNetworkPolicy',
  6: 'NetworkPolicy',
  7: 'AdminNetworkPolicy',
  8: 'BaselineAdminNetworkPolicy',
  9: 'Profile',
  10: 'EndOfTier',
  11: 'ClusterNetworkPolicy',
};

/** `allow`/`deny`/`pass` in any case, or Goldmane's `Action` enum number (1, 2, 3). */
function toAction(v: unknown): Action | undefined {
  if (typeof v === 'number') return v === 1 ? 'allow' : v === 2 ? 'deny' : v === 3 ? 'pass' : undefined;
  if (typeof v !== 'string') return undefined;
  const a = v.trim().toLowerCase();
  return a === 'allow' || a === 'deny' || a === 'pass' ? a : undefined;
}

/** An integer, or a protojson int64 (a decimal string); undefined otherwise. */
function toInt(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/**
 * The resource kind behind a Calico Enterprise policy name (`<tier>.<name>` GlobalNetworkPolicy,
 * `<ns>/knp.default.<name>` NetworkPolicy, `<ns>/<tier>.<name>` Calico NetworkPolicy, a `staged:`
 * prefix for staged ones, `__PROFILE__` for profiles); undefined when the name fits none of them.
 * Semantics: goldmane/proto `HitFromString`, which accepts `staged:` before or after the tier.
 */
export function calicoPolicyKind(tier: string, name: string): string | undefined {
  if (tier === '__PROFILE__' || name.startsWith('__PROFILE__.')) return 'Profile';
  const parts = name.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) return undefined;
  if (parts.length === 1) {
    if (name.includes('staged:')) return 'StagedGlobalNetworkPolicy';
    if (name.startsWith('kanp.')) return 'AdminNetworkPolicy';
    if (name.startsWith('kbanp.')) return 'BaselineAdminNetworkPolicy';
    if (name.startsWith('kcnp.')) return 'ClusterNetworkPolicy';
    return 'GlobalNetworkPolicy';
  }
  const local = parts[1];
  if (local.includes('staged:')) return local.includes('knp.default.') ? 'StagedKubernetesNetworkPolicy' : 'StagedNetworkPolicy';
  return local.startsWith('knp.') ? 'NetworkPolicy' : 'CalicoNetworkPolicy';
}

/**
 * Reads one Calico Enterprise policy string, `<index>|<tier>|<policy name>|<action>|<rule index>`
 * (e.g. `1|default|policy-demo/default.access-nginx|allow|2`). The policy keeps its name as written.
 * Undefined for a malformed string: not five fields, a non-integer index, an unknown action or kind.
 */
export function parseCalicoPolicyString(s: unknown): IndexedHit | undefined {
  if (typeof s !== 'string') return undefined;
  const parts = s.trim().split('|');
  if (parts.length !== 5) return undefined;
  const [indexText, tier, policy, actionText, ruleText] = parts.map((p) => p.trim());
  const index = toInt(indexText);
  const action = toAction(actionText);
  const kind = calicoPolicyKind(tier, policy);
  if (index === undefined || toInt(ruleText) === undefined || !action || !kind || tier === '') return undefined;
  return { index, hit: { policy, kind, action } };
}

/** Calico's name for a Goldmane hit, the one its Enterprise string would carry (goldmane/proto `makeNamePart`). */
function goldmanePolicyName(kind: string, namespace: string, tier: string, name: string): string {
  switch (kind) {
    case 'GlobalNetworkPolicy':
      return `${tier}.${name}`;
    case 'CalicoNetworkPolicy':
      return `${namespace}/${tier}.${name}`;
    case 'NetworkPolicy':
      return `${namespace}/knp.default.${name}`;
    case 'StagedKubernetesNetworkPolicy':
      return `${namespace}/staged:knp.default.${name}`;
    case 'StagedGlobalNetworkPolicy':
      return `${tier}.staged:${name}`;
    case 'StagedNetworkPolicy':
      return `${namespace}/${tier}.staged:${name}`;
    case 'AdminNetworkPolicy':
      return `kanp.adminnetworkpolicy.${name}`;
    case 'BaselineAdminNetworkPolicy':
      return `kbanp.baselineadminnetworkpolicy.${name}`;
    case 'Profile':
      return `__PROFILE__.${name}`;
    default:
      return namespace ? `${namespace}/${name}` : name;
  }
}

function goldmaneKind(v: unknown): string | undefined {
  if (typeof v === 'number') return KIND_NUMBERS[v];
  const k = str(v);
  return k === '' || k === 'KindUnspecified' ? undefined : k;
}

/**
 * Reads one Goldmane `PolicyHit` object (`{kind, namespace, name, tier, action, policy_index,
 * rule_index, trigger}`, protojson or camelCase). An `EndOfTier` hit is named after its `trigger`,
 * the policy that selected the flow, as Calico's own string form does. Undefined when malformed.
 */
export function parseGoldmaneHit(v: unknown): IndexedHit | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const action = toAction(o.action);
  let kind = goldmaneKind(o.kind);
  let named = o;
  if (kind === 'EndOfTier') {
    const trigger = o.trigger;
    if (!trigger || typeof trigger !== 'object') return undefined;
    named = trigger as Record<string, unknown>;
    kind = goldmaneKind(named.kind);
  }
  const name = str(named.name);
  if (!action || name === '') return undefined;
  // protojson leaves out zero values: an absent index is 0.
  const index = toInt(o.policy_index ?? o.policyIndex ?? 0);
  if (index === undefined) return undefined;
  const tier = str(named.tier) || str(o.tier);
  const policy = goldmanePolicyName(kind ?? '', str(named.namespace), tier, name);
  return { index, hit: kind ? { policy, kind, action } : { policy, action } };
}

function sortedHits(list: unknown, parse: (v: unknown) => IndexedHit | undefined): PolicyHit[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const hits = list.flatMap((v) => parse(v) ?? []);
  // Calico stores the entries in no particular order; the index is the order they were hit.
  return hits.sort((a, b) => a.index - b.index).map((h) => h.hit);
}

/**
 * The simulated verdict with staged policies enforced: the explicit field when the record has one,
 * else the action of the last pending hit that ends evaluation (a `pass` hands over to the next tier).
 */
function pendingActionOf(pending: readonly PolicyHit[] | undefined, explicit: unknown): Action | undefined {
  const given = toAction(explicit);
  if (given) return given;
  return pending?.findLast((h) => h.action !== 'pass')?.action;
}

function assemble(enforced: PolicyHit[] | undefined, pending: PolicyHit[] | undefined, explicit: unknown): RecordPolicies | undefined {
  const pendingAction = pendingActionOf(pending, explicit);
  if (!enforced?.length && !pending?.length && !pendingAction) return undefined;
  return {
    enforced: enforced ?? [],
    ...(pending ? { pending } : {}),
    ...(pendingAction ? { pendingAction } : {}),
  };
}

const asObject = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * Calico Enterprise `policies`: `enforced_policies` and `pending_policies` (policy strings, sorted
 * by their index; malformed ones skipped); the deprecated `all_policies` counts as enforced when
 * neither is present, as does a bare array of strings. `transit_policies` (forwarded traffic) is
 * not read. `pendingAction` is a `pending_action` field of `policies` or `explicit`, else derived.
 * Undefined when the record names no policy.
 */
export function enterprisePolicies(policies: unknown, explicit?: unknown): RecordPolicies | undefined {
  if (Array.isArray(policies)) return assemble(sortedHits(policies, parseCalicoPolicyString), undefined, explicit);
  const p = asObject(policies);
  if (!p) return assemble(undefined, undefined, explicit);
  const enforced = sortedHits(p.enforced_policies, parseCalicoPolicyString);
  const pending = sortedHits(p.pending_policies, parseCalicoPolicyString);
  const legacy = enforced || pending ? undefined : sortedHits(p.all_policies, parseCalicoPolicyString);
  return assemble(enforced ?? legacy, pending, p.pending_action ?? p.pendingAction ?? explicit);
}

/**
 * Goldmane `PolicyTrace` (`enforced_policies` / `pending_policies`, camelCase alike) or the Whisker
 * API's `{enforced, pending}`: arrays of `PolicyHit` objects, sorted by `policy_index`.
 * Undefined when the flow names no policy.
 */
export function goldmanePolicies(policies: unknown, explicit?: unknown): RecordPolicies | undefined {
  const p = asObject(policies);
  if (!p) return assemble(undefined, undefined, explicit);
  const enforced = sortedHits(p.enforced_policies ?? p.enforcedPolicies ?? p.enforced, parseGoldmaneHit);
  const pending = sortedHits(p.pending_policies ?? p.pendingPolicies ?? p.pending, parseGoldmaneHit);
  return assemble(enforced, pending, p.pending_action ?? p.pendingAction ?? explicit);
}
