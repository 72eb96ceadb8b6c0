import { useMemo, useState } from 'react';
import type { PolicySet } from '../../../shared/policy/generate';
import type { CiliumPolicySet } from '../../../shared/policy/cilium';
import { ruleRefText } from '../../../shared/policy/types';
import { policySetYaml, policyYaml } from '../../../shared/policy/yaml';
import { YamlView } from './YamlView';

interface Props {
  readonly set: PolicySet | CiliumPolicySet;
  readonly namespaces: readonly string[];
  readonly scope: readonly string[];
  readonly defaultDeny: boolean;
  readonly flavor: 'kubernetes' | 'cilium';
  readonly onScope: (ns: string[]) => void;
  readonly onDefaultDeny: (on: boolean) => void;
  readonly onFlavor: (f: 'kubernetes' | 'cilium') => void;
}

/** The generated policies: options, warnings, the rules with their flows, and the YAML. */
export function PolicyPanel({ set, namespaces, scope, defaultDeny, flavor, onScope, onDefaultDeny, onFlavor }: Props) {
  const [which, setWhich] = useState('');
  const yamlText = useMemo(() => {
    const one = set.policies.find((g) => `${g.policy.metadata.namespace}/${g.policy.metadata.name}` === which);
    return one ? policyYaml(one) : policySetYaml(set);
  }, [set, which]);
  return (
    <section className="policy-panel" aria-label="Policies">
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
        <label>
          Flavor{' '}
          <select value={flavor} onChange={(e) => onFlavor(e.target.value as 'kubernetes' | 'cilium')}>
            <option value="kubernetes">Kubernetes</option>
            <option value="cilium">Cilium</option>
          </select>
        </label>
      </fieldset>
      {set.warnings.length > 0 && (
        <ul className="policy-warnings" aria-label="Policy warnings">
          {set.warnings.map((w) => (
            <li key={w.message}>{w.message}</li>
          ))}
        </ul>
      )}
      <ul className="rules" aria-label="Rules">
        {set.policies.flatMap((g) =>
          g.rules.map((r) => (
            <li key={ruleRefText(r.ref)} data-rule={ruleRefText(r.ref)}>
              <code>{ruleRefText(r.ref)}</code> {r.comment.split('\n').join('; ')}
            </li>
          )),
        )}
      </ul>
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
    </section>
  );
}
