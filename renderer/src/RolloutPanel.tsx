import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  ApiError,
  AuditRecord,
  DryRunFile,
  PatchedPolicies,
  Result,
  RolloutRecord,
  SoakCheckRequest,
} from '../../shared/api/contract';
import type { FlowRecord } from '../../shared/flows/types';
import { unmapFlow } from '../../shared/rollout/flow-namespaces';
import { auditMechanism, modeGuide, type RolloutFlavor, type RolloutMode } from '../../shared/rollout/mode';
import type { SoakFlow } from '../../shared/rollout/soak-types';
import { kubeBlocked, useKubeContexts } from './kube';
import { AddedRules } from './rollout/AddedRules';
import { AuditLog } from './rollout/AuditLog';
import { DropWatch } from './rollout/DropWatch';
import { ModeGuide } from './rollout/ModeGuide';
import { PromoteDialog } from './rollout/PromoteDialog';
import { RolloutList } from './rollout/RolloutList';
import { TargetFields } from './rollout/TargetFields';
import { defaultTarget, productionWarning, targetMap } from './rollout/target';
import { useFlowLogPicker } from './rollout/useFlowLogPicker';
import { useRolloutHost } from './rollout/useRolloutHost';
import './rollout/rollout.css';

/** The verdict verify gives the policies shown (the Policies tab's headline), with its counts. */
export interface VerifySummary {
  readonly status: 'pass' | 'fail' | 'undecided';
  /** The headline, as the Policies tab shows it. */
  readonly text: string;
  /** Kept edges the policies block, and kept edges this input cannot decide. */
  readonly blocked: number;
  readonly undecided: number;
}

interface Props {
  /** Namespace → the YAML of each policy for it, in the flavor shown. */
  readonly policiesFor: (namespace: string) => string[];
  readonly namespaces: readonly string[];
  readonly onAllowDrop: (drop: FlowRecord) => void;
  /** The flavor shown: what is applied. */
  readonly flavor: RolloutFlavor;
  /** Verify's verdict on the policies shown; undefined while it is being checked. */
  readonly verify?: VerifySummary;
  /** The pruned edges and their reasons, as the workspace keeps them: a soak reads a drop of one as expected. */
  readonly selection: SoakCheckRequest['selection'];
}

/**
 * Rollout: where to (context, target namespace and the namespace map), in which mode (with what
 * each CNI needs for audit), what verify says of the policies, dry-run and apply through main's
 * confirmation, the workspace's rollouts with their soaks (Check soak, Allow a missing rule,
 * rollback, promotion), the live drop watch, and the audit log. Every greyed-out action says why.
 */
export function RolloutPanel({ policiesFor, namespaces, onAllowDrop, flavor, verify, selection }: Props) {
  const [source, setSource] = useState(namespaces[0] ?? '');
  const [target, setTarget] = useState(defaultTarget(namespaces[0] ?? ''));
  const [others, setOthers] = useState('');
  const [chosenMode, setMode] = useState<RolloutMode>('enforce');
  // Staged policies only ever audit.
  const mode: RolloutMode = flavor === 'calico-staged' ? 'audit' : chosenMode;
  const [results, setResults] = useState<DryRunFile[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [audit, setAudit] = useState<AuditRecord[]>([]);
  const [rollouts, setRollouts] = useState<readonly RolloutRecord[]>([]);
  const [promoting, setPromoting] = useState<RolloutRecord | null>(null);
  // Rules added with Allow: main keeps them with the workspace, so that a restart keeps them too.
  const [patched, setPatched] = useState<readonly PatchedPolicies[]>([]);
  const [busy, setBusy] = useState(false);
  const [kubeError, setKubeError] = useState<ApiError | null>(null);
  const { contexts, context, setContext, loaded } = useKubeContexts(setKubeError);
  const host = useRolloutHost();

  const reload = useCallback(() => {
    void window.netpol.auditLog().then((r) => r.ok && setAudit(r.value));
    void window.netpol.listRollouts().then((r) => r.ok && setRollouts(r.value));
    void window.netpol.listPatchedPolicies().then((r) => r.ok && setPatched(r.value));
  }, []);
  useEffect(() => {
    reload();
    return window.netpol.onRollouts(setRollouts);
  }, [reload]);

  const run = async <T,>(f: () => Promise<Result<T>>, done: (v: T) => void): Promise<void> => {
    setError(null);
    setMessage(null);
    setBusy(true);
    const r = await f();
    setBusy(false);
    if (r.ok) done(r.value);
    else setError(r.error);
    reload();
  };

  // The policies of a namespace: with the rules added from soaks (Allow) when main keeps some, else as generated.
  const patchedOf = (ns: string): PatchedPolicies | undefined => patched.find((p) => p.namespace === ns && p.flavor === flavor);
  const policiesOf = (ns: string): string[] => [...(patchedOf(ns)?.policies ?? policiesFor(ns))];
  const added = source ? (patchedOf(source)?.added ?? []) : [];
  const flowLogInput = useRef<HTMLInputElement>(null);
  const flowLog = useFlowLogPicker(flowLogInput, setError);
  const policies = source ? policiesOf(source) : [];
  const map = useMemo(() => targetMap(source, target, others), [source, target, others]);
  const mechanism = auditMechanism(flavor, mode);
  const guide = modeGuide(flavor, mode, context || 'CONTEXT', target || 'NAMESPACE');
  const production = productionWarning(context, target, host.productionPatterns);
  // Why Dry-run and Apply are greyed out, said beside them; Apply also needs a native confirmation.
  const dryBlocked =
    kubeBlocked({ error: kubeError, loaded, contexts }) ??
    (policies.length === 0
      ? `No policies for ${source || 'this namespace'}: tick it under Lock down on the Policies tab.`
      : !map.ok
        ? map.problem
        : typeof mechanism === 'object'
          ? mechanism.problem
          : busy
            ? 'Waiting for the operation under way.'
            : undefined);
  const applyBlocked = dryBlocked ?? host.noConfirmation;
  const request = map.ok && context ? { context, namespace: target, namespaceMap: [...map.pairs], flavor, policies } : undefined;
  const allowDrop = (d: FlowRecord): void => onAllowDrop(map.ok ? unmapFlow(d, map.map) : d);
  const allow = (r: RolloutRecord, f: SoakFlow): void => {
    if (!f.patch) return;
    if (r.flavor !== flavor) {
      setError({
        code: 'invalid-request',
        message: `Rollout ${r.id} is ${r.flavor}, the policies shown are ${flavor}: show ${r.flavor} to add its rule.`,
      });
      return;
    }
    const ns = r.sourceNamespaces[0] ?? source;
    // Main adds the rule to the policies it keeps for the namespace, else to these.
    const base = policiesOf(ns);
    if (base.length === 0) {
      setError({
        code: 'invalid-request',
        message: `No ${flavor} policies for ${ns}: tick it under Lock down on the Policies tab to add the rule.`,
      });
      return;
    }
    void run(
      () => window.netpol.allowSoakFlow({ from: r.id, edge: f.edge, namespace: ns, policies: base }),
      (kept) => {
        setPatched(kept);
        setSource(ns);
        setMessage(`The rule for ${f.edge} is added to the policies of ${ns}: Apply to staging again, then Check soak.`);
      },
    );
  };
  const allowed = useMemo(() => {
    const m = new Map<string, Set<string>>();
    for (const p of patched) for (const a of p.added) m.set(a.rollout, new Set([...(m.get(a.rollout) ?? []), a.edge]));
    return m;
  }, [patched]);
  const applied = (r: RolloutRecord): void =>
    setMessage(`Applied to ${r.targetNamespace} on ${r.context}: ${r.objects.length} object(s). Recorded below: Check soak there.`);

  return (
    <section className="rollout" aria-label="Rollout">
      {verify && (
        <p className={`verify-line ${verify.status}`} data-field="verify">
          <strong>Verify: {verify.text}</strong> · {verify.blocked} blocked · {verify.undecided} undecided
        </p>
      )}
      <TargetFields
        contexts={contexts}
        context={context}
        onContext={setContext}
        namespaces={namespaces}
        source={source}
        onSource={(ns) => {
          // The target follows the source until the user makes it another namespace.
          if (target === defaultTarget(source)) setTarget(defaultTarget(ns));
          setSource(ns);
        }}
        target={target}
        onTarget={setTarget}
        others={others}
        onOthers={setOthers}
        map={map}
      />
      <p className="hint" data-field="map">
        {policies.length} {flavor} policies for {source || 'this namespace'}
        {added.length > 0 ? ` (${added.length} rule(s) added from soaks)` : ''}
        {map.ok && map.pairs.length > 0 ? `; namespace map ${map.pairs.join(', ')}` : ''}.
      </p>
      <AddedRules
        patched={patched}
        rollouts={rollouts}
        busy={busy}
        mutationBlocked={host.noConfirmation}
        onApplyAgain={(p, from) =>
          void run(
            () =>
              window.netpol.applyRollout({
                context: from.context,
                namespace: from.targetNamespace,
                namespaceMap: [...from.namespaceMap],
                flavor: p.flavor,
                mode: from.mode,
                policies: [...p.policies],
              }),
            applied,
          )
        }
        onRemove={(p) => void run(() => window.netpol.dropPatchedPolicies({ namespace: p.namespace, flavor: p.flavor }), setPatched)}
      />
      <fieldset className="row mode">
        <legend>Mode</legend>
        <label>
          <input
            type="radio"
            name="rollout-mode"
            checked={mode === 'enforce'}
            disabled={flavor === 'calico-staged'}
            onChange={() => setMode('enforce')}
          />{' '}
          Enforce
        </label>
        <label>
          <input type="radio" name="rollout-mode" checked={mode === 'audit'} onChange={() => setMode('audit')} /> Audit
        </label>
        {flavor === 'calico-staged' && <span className="reason">Staged Calico policies are only ever previewed (audit).</span>}
      </fieldset>
      <ModeGuide guide={guide} />
      {production && (
        <p className="warning" role="note" data-testid="rollout-production">
          {production}
        </p>
      )}
      {/* Why the actions below are greyed out, and what to do: above them, where the eye is. */}
      {applyBlocked && (
        <p className="blocked" role="note" id="rollout-blocked" data-testid="rollout-blocked">
          {dryBlocked ?? `Apply: ${applyBlocked}`}
        </p>
      )}
      <div className="row">
        <button
          type="button"
          disabled={dryBlocked !== undefined || !request}
          title={dryBlocked}
          onClick={() => request && void run(() => window.netpol.dryRun(request, 'client'), setResults)}
        >
          Dry-run (client)
        </button>
        <button
          type="button"
          disabled={dryBlocked !== undefined || !request}
          title={dryBlocked}
          onClick={() => request && void run(() => window.netpol.dryRun(request, 'server'), setResults)}
        >
          Dry-run (server)
        </button>
        <button
          type="button"
          className="primary"
          disabled={applyBlocked !== undefined || !request}
          title={dryBlocked ?? (applyBlocked ? `Apply: ${applyBlocked}` : undefined)}
          aria-describedby={applyBlocked ? 'rollout-blocked' : undefined}
          onClick={() => request && void run(() => window.netpol.applyRollout({ ...request, mode }), applied)}
        >
          Apply to staging…
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error.message}
          {error.hint ? ` ${error.hint}` : ''}
        </p>
      )}
      {message && <p role="status">{message}</p>}
      {results && (
        <ul aria-label="Dry-run results">
          {results.map((r) => (
            <li key={r.file} className={r.ok ? 'ok' : 'bad'}>
              <code>{r.file}</code>: {r.output}
            </li>
          ))}
        </ul>
      )}
      <h3>Rollouts</h3>
      <input
        ref={flowLogInput}
        type="file"
        hidden
        aria-label="Flow-log file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          void flowLog.picked(file);
        }}
      />
      <RolloutList
        rollouts={rollouts}
        busy={busy}
        mutationBlocked={host.noConfirmation}
        allowed={allowed}
        onCheckSoak={(r, cycleHours) =>
          void run(
            () => window.netpol.checkSoak(r.id, { selection, cycleHours }),
            (v) => setMessage(`Soak of ${v.targetNamespace} read: ${v.soak?.report.verdict.status ?? 'no report'}.`),
          )
        }
        onCheckSoakFromFile={(r, cycleHours) =>
          flowLog.pick(
            () =>
              void run(
                () => window.netpol.checkSoakFromFile(r.id, { selection, cycleHours }),
                (v) => setMessage(`Soak of ${v.targetNamespace} read from the flow log: ${v.soak?.report.verdict.status ?? 'no report'}.`),
              ),
          )
        }
        onAllow={allow}
        onRollback={(r) =>
          void run(
            () => window.netpol.rollbackRollout(r.id),
            (v) => setMessage(`Rolled back ${v.targetNamespace} on ${v.context}: ${v.rollback?.deleted.length ?? 0} deleted.`),
          )
        }
        onPromote={setPromoting}
      />
      {promoting && (
        <PromoteDialog
          staging={promoting}
          contexts={contexts}
          // What soaked: the texts this rollout applied (older records: the policies shown now).
          policies={promoting.sourcePolicies ?? policiesOf(promoting.sourceNamespaces[0] ?? '')}
          onDone={(r) => {
            setMessage(`Promoted to ${r.targetNamespace} on ${r.context}: ${r.objects.length} object(s).`);
            reload();
          }}
          onClose={() => setPromoting(null)}
        />
      )}
      <DropWatch
        namespace={target}
        verdict={mechanism === 'cilium-audit-mode' ? 'AUDIT' : 'DROPPED'}
        onAllowDrop={allowDrop}
        onError={setError}
      />
      <h3>Audit log</h3>
      <AuditLog entries={audit} />
    </section>
  );
}
