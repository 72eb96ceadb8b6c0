// "Allow" in main: the rule for a missing-rule flow of a stored soak, added to the policies of the
// rollout's source namespace (shared/rollout/patch-source, the one way a rule is added) and kept with
// the rollouts in the workspace, so that a restart loses neither the rule nor the set that will soak.
// The rule is the patch of the report main stored (its hash checked), never one the window sends.
import type { AllowRequest, PatchedPolicies } from '../../shared/api/contract';
import { parseNamespaceMap } from '../../shared/rollout/namespace-map';
import { withPatchInSource } from '../../shared/rollout/patch-source';
import { ServiceError } from './errors';
import { prepareRollout } from './rollout-policies';
import type { RolloutService } from './rollout-service';

const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((t, i) => t === b[i]);

/**
 * Adds the rule of one missing-rule flow of rollout `r.from`'s stored soak to the policies of
 * `r.namespace` (those already kept with added rules, else the ones the window sent), checks the
 * result as a rollout to the same target would be checked, and keeps it. Allowing a flow twice
 * changes nothing. Refused: a flow the stored report does not hold as a missing rule with a rule to
 * add, a namespace the rollout did not roll out, and policies that do not read as the flavor's.
 */
export async function allowSoakFlow(rollouts: RolloutService, r: AllowRequest): Promise<PatchedPolicies[]> {
  const record = rollouts.get(r.from);
  if (record.stage !== 'staging') throw new ServiceError('invalid-request', 'Only the soak of a staging rollout adds rules.');
  if (!record.sourceNamespaces.includes(r.namespace))
    throw new ServiceError(
      'invalid-request',
      `Rollout ${record.id} rolled out the policies of ${record.sourceNamespaces.join(', ')}, not of ${r.namespace}.`,
    );
  const soak = await rollouts.checkedSoak(record, 'Allow');
  const flow = soak?.report.flows.find((f) => f.edge === r.edge);
  if (!flow) throw new ServiceError('invalid-request', `The soak stored for rollout ${record.id} has no flow ${r.edge}: Check soak again.`);
  if (flow.class !== 'missing-rule' || !flow.patch || flow.patch.rules.length === 0)
    throw new ServiceError(
      'refused',
      `${r.edge} is not a missing rule with a rule to add (${flow.patch?.inexpressible ?? flow.class}): nothing was added.`,
    );
  const kept = rollouts.patchedFor(r.namespace, record.flavor);
  if (kept?.added.some((a) => a.rollout === record.id && a.edge === r.edge)) return rollouts.patchedPolicies();
  const base = kept?.policies ?? r.policies;
  const target = { namespace: record.targetNamespace, namespaceMap: record.namespaceMap, flavor: record.flavor };
  // What is kept must be a set this rollout's target takes: checked before and after the rule goes in.
  prepareRollout({ ...target, policies: base });
  let patched: string[];
  try {
    patched = withPatchInSource(base, r.namespace, parseNamespaceMap(record.namespaceMap), flow.patch);
  } catch (e) {
    throw new ServiceError('unusable-input', `The rule for ${r.edge} cannot be added: ${(e as Error).message}`);
  }
  if (same(patched, base))
    throw new ServiceError('refused', `The rule for ${r.edge} changes none of the policies of ${r.namespace}: nothing was added.`);
  prepareRollout({ ...target, policies: patched });
  return rollouts.setPatched(
    { namespace: r.namespace, flavor: record.flavor },
    {
      namespace: r.namespace,
      flavor: record.flavor,
      from: record.id,
      added: [...(kept?.added ?? []), { rollout: record.id, edge: r.edge }],
      policies: patched,
    },
  );
}
