/**
 * How a rollout runs: the flavor of its policies and whether they enforce or only report, and what
 * each CNI needs for that. Calico previews a policy without enforcing it when it is staged
 * (StagedKubernetesNetworkPolicy); Cilium has no per-policy audit, only its policy audit mode, per
 * endpoint or for the whole agent, which the app never changes: it says the command to run.
 */

/** The policy kinds a rollout applies, one per flavor. */
export const ROLLOUT_FLAVORS = ['kubernetes', 'cilium', 'calico-staged'] as const;
export type RolloutFlavor = (typeof ROLLOUT_FLAVORS)[number];

/** Enforce: the policies drop what they do not allow. Audit: they only report what they would drop. */
export const ROLLOUT_MODES = ['enforce', 'audit'] as const;
export type RolloutMode = (typeof ROLLOUT_MODES)[number];

/** A kind of object a rollout applies: its apiVersion, and the name kubectl prints for it (`kind.group`). */
export interface RolloutKind {
  readonly kind: string;
  readonly apiVersion: string;
  /** What kubectl prints before `/NAME created` and takes as `RESOURCE/NAME`. */
  readonly resource: string;
}

/** What each flavor writes; an apply in that flavor takes that kind only. */
export const FLAVOR_KIND = {
  kubernetes: { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', resource: 'networkpolicy.networking.k8s.io' },
  cilium: { kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', resource: 'ciliumnetworkpolicy.cilium.io' },
  'calico-staged': {
    kind: 'StagedKubernetesNetworkPolicy',
    apiVersion: 'projectcalico.org/v3',
    resource: 'stagedkubernetesnetworkpolicy.projectcalico.org',
  },
} as const satisfies Readonly<Record<RolloutFlavor, RolloutKind>>;

/** Every resource a rollout may create, and so the only ones a rollback may delete. */
export const ROLLOUT_RESOURCES = [
  FLAVOR_KIND.kubernetes.resource,
  FLAVOR_KIND.cilium.resource,
  FLAVOR_KIND['calico-staged'].resource,
] as const;
export type RolloutResource = (typeof ROLLOUT_RESOURCES)[number];

/** A kind in the plural, as a sentence says it: NetworkPolicies, CiliumNetworkPolicies. */
export const kindPlural = (kind: string): string => (kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : `${kind}s`);

/** Which mechanism makes a rollout report instead of drop, or none (enforce). */
export type AuditMechanism = 'enforce' | 'cilium-audit-mode' | 'calico-staged';

/**
 * The mechanism of a flavor in a mode, or why the pair makes no sense: staged policies never
 * enforce, so `calico-staged` goes with audit only; audit for NetworkPolicies and Cilium policies
 * is Cilium's policy audit mode.
 */
export function auditMechanism(flavor: RolloutFlavor, mode: RolloutMode): AuditMechanism | { readonly problem: string } {
  if (flavor === 'calico-staged')
    return mode === 'audit'
      ? 'calico-staged'
      : {
          problem:
            'Calico staged policies are never enforced: roll them out in audit mode, or choose the Kubernetes flavor to enforce them.',
        };
  return mode === 'audit' ? 'cilium-audit-mode' : 'enforce';
}

/** A command for the user to run in a terminal; the app shows it and never runs it. */
export interface GuideCommand {
  readonly label: string;
  readonly command: string;
}

/** What a flow's verdict means in the mode in use. */
export interface VerdictMeaning {
  readonly verdict: string;
  readonly meaning: string;
}

/** What the Rollout tab says about a mode: what it does, what to run for it, what the verdicts then mean. */
export interface ModeGuide {
  readonly mechanism: AuditMechanism;
  readonly title: string;
  readonly summary: string;
  readonly commands: readonly GuideCommand[];
  readonly verdicts: readonly VerdictMeaning[];
}

const ENFORCE_VERDICTS: readonly VerdictMeaning[] = [
  { verdict: 'FORWARDED', meaning: 'allowed: a policy (or no policy) let it through.' },
  {
    verdict: 'DROPPED',
    meaning:
      'blocked: the flow did not reach its destination. With reason POLICY_DENIED it is a rule missing from the rollout, an edge you pruned, or another policy.',
  },
];

/**
 * The guide for a rollout of `flavor` in `mode` to `namespace` under `context`. The commands name
 * that context and namespace; they change CNI settings, which the app itself never does.
 */
export function modeGuide(flavor: RolloutFlavor, mode: RolloutMode, context: string, namespace: string): ModeGuide {
  const mechanism = auditMechanism(flavor, mode);
  if (mechanism === 'calico-staged')
    return {
      mechanism,
      title: 'Audit: Calico staged policies',
      summary:
        'StagedKubernetesNetworkPolicies are previewed by Calico and enforce nothing: traffic flows as before. Calico flow logs (and Goldmane) say what the staged set would do in pending_policies and pending_action. Needs the Calico API server (projectcalico.org/v3).',
      commands: [
        {
          label: 'Check that the Calico API server serves staged policies',
          command: `kubectl --context=${context} api-resources --api-group=projectcalico.org`,
        },
        { label: 'See the staged policies', command: `kubectl --context=${context} -n ${namespace} get stagedkubernetesnetworkpolicies` },
      ],
      verdicts: [
        { verdict: 'allow', meaning: 'the flow passed, as it would with nothing staged: staged policies block nothing.' },
        {
          verdict: 'pending_action: deny',
          meaning: 'the staged set would drop it once enforced: a missing rule, an edge you pruned, or another policy.',
        },
        { verdict: 'deny', meaning: 'a policy that is enforced now dropped it, not the staged set.' },
      ],
    };
  if (mechanism === 'cilium-audit-mode')
    return {
      mechanism,
      title: "Audit: Cilium's policy audit mode",
      summary:
        'Cilium has no per-policy audit: audit mode is set per endpoint, or for the whole agent. While it is on, no policy is enforced for those endpoints (not only these), and a flow a policy would drop is let through with the verdict AUDIT. netpol-studio never changes CNI settings: run these yourself, and turn audit mode off again before you rely on the policies.',
      commands: [
        {
          label: 'Every endpoint (the whole agent), then restart the agents to take it',
          command: `cilium --context ${context} config set policy-audit-mode true && kubectl --context=${context} -n kube-system rollout restart ds/cilium`,
        },
        {
          label: `Or one endpoint at a time: the endpoint IDs of ${namespace}`,
          command: `kubectl --context=${context} -n ${namespace} get ciliumendpoints`,
        },
        {
          label: 'then, in the Cilium agent on that endpoint’s node (resets when the agent restarts)',
          command: `kubectl --context=${context} -n kube-system exec CILIUM_POD -c cilium-agent -- cilium-dbg endpoint config ENDPOINT_ID PolicyAuditMode=Enabled`,
        },
        {
          label: 'Afterwards: enforce again',
          command: `cilium --context ${context} config set policy-audit-mode false && kubectl --context=${context} -n kube-system rollout restart ds/cilium`,
        },
      ],
      verdicts: [
        { verdict: 'FORWARDED', meaning: 'allowed by the policies.' },
        {
          verdict: 'AUDIT',
          meaning: 'would have been dropped, and was let through: a rule missing from the rollout, an edge you pruned, or another policy.',
        },
        {
          verdict: 'DROPPED',
          meaning:
            'really dropped, not by these policies in audit mode: another reason (or audit mode is not on for that endpoint; check with `cilium-dbg endpoint get ID`).',
        },
      ],
    };
  return {
    mechanism: 'enforce',
    title: 'Enforce',
    summary:
      typeof mechanism === 'object'
        ? mechanism.problem
        : 'The policies are enforced as soon as they are applied: what they do not allow is dropped.',
    commands: [],
    verdicts: ENFORCE_VERDICTS,
  };
}
