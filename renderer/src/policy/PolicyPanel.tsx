import { useMemo } from 'react';
import { formatCount } from '../../../shared/policy/format';
import type { AnyPolicySet, Flavor } from '../../../shared/policy/flavors';
import { ruleRefText } from '../../../shared/policy/types';
import { policySetYaml, policyYaml } from '../../../shared/policy/yaml';
import { YamlView } from './YamlView';

interface Props {
  readonly set: AnyPolicySet;
  readonly namespaces: readonly string[];
  readonly scope: readonly string[];
  readonly defaultDeny: boolean;
  /** Merge consecutive ports of one peer into endPort ranges. */
  readonly portRanges: boolean;
  readonly onPortRanges: (on: boolean) => void;
  readonly flavor: Flavor;
  readonly onScope: (ns: string[]) => void;
  readonly onDefaultDeny: (on: boolean) => void;
  readonly onFlavor: (f: Flavor) => void;
  /** Workloads (node ids) of the selected edges: a big set shows their policies. */
  readonly focus: ReadonlySet<string>;
  /** The policy shown alone (`ns/name`), or '' for the set; the inspector's rule links set it. */
  readonly which: string;
  readonly onWhich: (id: string) => void;
  /** Banners above the YAML: which set is shown when an AI draft was taken. */
  readonly notices?: readonly string[];
}

/** Above this many policies the panel shows a part of the set, not all of it. */
const BIG = 100;
const RULES_SHOWN = 500;

/** The generated policies: what to lock down and how, the YAML, then each rule with the flows behind it. (Their warnings are findings.) */
export function PolicyPanel({
  set,
  namespaces,
  scope,
  defaultDeny,
  portRanges,
  onPortRanges,
  flavor,
  focus,
  which,
  onWhich: setWhich,
  onScope,
  onDefaultDeny,
  onFlavor,
  notices = [],
}: Props) {
  const big = set.policies.length > BIG;
  // A big set is not stringified whole on every change: the panel shows the policies of the
  // selected edges' workloads (what a prune changes), or the first ones; the export holds all.
  const { shown, why } = useMemo(() => {
    if (!big) return { shown: set.policies, why: '' };
    const focused = set.policies.filter((g) => g.workload !== undefined && focus.has(g.workload));
    return focused.length > 0
      ? { shown: focused, why: "the selected edges' workloads" }
      : { shown: set.policies.slice(0, BIG), why: 'the first ones' };
  }, [set, big, focus]);
  const yamlText = useMemo(() => {
    const one = set.policies.find((g) => `${g.policy.metadata.namespace}/${g.policy.metadata.name}` === which);
    if (one) return policyYaml(one);
    if (!big) return policySetYaml(set);
    const note = `# ${shown.length} of ${set.policies.length} policies (${why}); pick one under "Show", or export the bundle for all.\n`;
    return note + shown.map((g) => policyYaml(g)).join('---\n');
  }, [set, which, big, shown, why]);
  const rules = useMemo(() => shown.flatMap((g) => g.rules).slice(0, RULES_SHOWN), [shown]);
  const ruleCount = useMemo(() => set.policies.reduce((n, g) => n + g.rules.length, 0), [set]);
  return (
    <section className="policy-panel" aria-label="Policies">
      {notices.map((n) => (
        <p key={n} className="banner" role="note">
          {n}
        </p>
      ))}
      <fieldset>
        <legend>Lock down</legend>
        {namespaces.map((ns) => (
          <label key={ns}>
            <input
              type="checkbox"
              checked={scope.includes(ns)}
              onChange={(e) => onScope(e.target.checked ? [...scope, ns] : scope.filter((x) => x !== ns))}
            />{' '}
            {ns}
          </label>
        ))}
        <label>
          <input type="checkbox" checked={defaultDeny} onChange={(e) => onDefaultDeny(e.target.checked)} /> default deny
        </label>
        <label title="Consecutive ports of one peer become one endPort range (fewer lines; verify checks it allows no unobserved port)">
          <input type="checkbox" checked={portRanges} onChange={(e) => onPortRanges(e.target.checked)} /> port ranges
        </label>
        <label>
          Flavor{' '}
          <select value={flavor} onChange={(e) => onFlavor(e.target.value as Flavor)}>
            <option value="kubernetes">Kubernetes</option>
            <option value="cilium">Cilium</option>
            <option value="calico-staged">Calico staged (audit)</option>
          </select>
        </label>
      </fieldset>
      <label>
        Show{' '}
        <select aria-label="Policy to show" value={which} onChange={(e) => setWhich(e.target.value)}>
          <option value="">all {set.policies.length} policies</option>
          {set.policies.map((g) => {
            const id = `${g.policy.metadata.namespace}/${g.policy.metadata.name}`;
            return (
              <option key={id} value={id}>
                {id}
              </option>
            );
          })}
        </select>
      </label>
      <YamlView text={yamlText} label="Generated YAML" />
      <h4 className="rules-head">Rules and the flows behind them</h4>
      <ul className="rules" aria-label="Rules">
        {rules.map((r) => (
          <li key={ruleRefText(r.ref)} data-rule={ruleRefText(r.ref)}>
            <code>{ruleRefText(r.ref)}</code> {r.comment.split('\n').join('; ')}
          </li>
        ))}
      </ul>
      {rules.length < ruleCount && (
        <p className="hint">
          {rules.length} of {formatCount(ruleCount)} rules shown: select edges to see theirs.
        </p>
      )}
    </section>
  );
}
