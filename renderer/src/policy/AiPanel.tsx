import { useEffect, useMemo, useRef, useState } from 'react';
import { draftPolicySet, draftRules } from '../../../shared/ai/adopt';
import { DEFAULT_TOKEN_BUDGET } from '../../../shared/ai/payload';
import { parseDraftReply } from '../../../shared/ai/reply';
import { reviewDraft } from '../../../shared/ai/review';
import type { DraftPreview, DraftRun } from '../../../shared/ai/run';
import type { AiTake, SettingsView } from '../../../shared/api/contract';
import { serializeSelection, type Selection } from '../../../shared/graph/selection';
import type { ServiceGraph } from '../../../shared/graph/types';
import { diffPolicies } from '../../../shared/policy/diff';
import type { PolicySet } from '../../../shared/policy/generate';
import { ruleRefText, type RuleRef } from '../../../shared/policy/types';
import { policySetYaml } from '../../../shared/policy/yaml';
import { draftGroups, draftVerdictLine } from './draft-groups';
import { Banner } from '../Banner';
import { Findings } from './Findings';
import { FlowList } from './FlowList';
import { MergeYaml } from './MergeYaml';

interface Props {
  readonly graph: ServiceGraph;
  readonly selection: Selection;
  readonly namespaces: readonly string[];
  /** The deterministic generation (Kubernetes flavor), before any draft is taken. */
  readonly generated: PolicySet;
  readonly taken: AiTake | undefined;
  readonly onTake: (t: AiTake | undefined) => void;
  /** Every run, to be kept in the workspace. */
  readonly onRun: (run: DraftRun) => void;
  /** The newest run (restored from the workspace, or made here). */
  readonly run: DraftRun | undefined;
  readonly onSelectEdge: (edge: string) => void;
}

/** Below this many edges the draft's review is redone on every change of the pruning. */
const LIVE_REVIEW_EDGES = 1500;

const sameRef = (a: RuleRef, b: RuleRef): boolean => a.policy === b.policy && a.direction === b.direction && a.index === b.index;
const isLoopback = (url: string): boolean => /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/]/.test(url);

/**
 * "Draft with AI": preview exactly what would be sent, ask the configured model, and review the
 * draft against the flows before anyone can take it: findings, side-by-side YAML, the flows it
 * would block or open, and its rules one by one.
 */
export function AiPanel({ graph, selection, namespaces, generated, taken, onTake, onRun, run, onSelectEdge }: Props) {
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [allowIps, setAllowIps] = useState(false);
  const [budget, setBudget] = useState(String(DEFAULT_TOKEN_BUDGET));
  const budgetValue = /^\d+$/.test(budget) && Number(budget) >= 200 ? Number(budget) : undefined;
  const [preview, setPreview] = useState<DraftPreview | null>(null);
  const [streamed, setStreamed] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void window.netpol.getSettings().then((r) => r.ok && setSettings(r.value));
  }, []);
  // Deltas count only while this panel's draft runs (an event may arrive after the reply itself).
  const drafting = useRef(false);
  useEffect(() => window.netpol.onAiDelta((d) => drafting.current && setStreamed((s) => (s ?? '') + d.text)), []);

  const apiRequest = useMemo(
    () => ({
      selection: serializeSelection(selection),
      namespaces: [...namespaces],
      allowExternalIps: allowIps,
      tokenBudget: budgetValue,
    }),
    [selection, namespaces, allowIps, budgetValue],
  );

  const showPreview = async () => {
    setError(null);
    const r = await window.netpol.aiPreview(apiRequest);
    if (r.ok) setPreview(r.value);
    else setError(r.error.message);
  };
  const draft = async () => {
    setError(null);
    setBusy(true);
    setStreamed('');
    drafting.current = true;
    try {
      const r = await window.netpol.aiDraft(apiRequest);
      if (!r.ok) setError(r.error.message);
      else onRun(r.value);
    } finally {
      drafting.current = false;
      setBusy(false);
      setStreamed(null);
    }
  };

  // The review follows the pruning as it is now (cheap on small graphs); on a big graph it stays as
  // made when the draft came, and says so, rather than re-verify 10,000 edges on every prune.
  const live = graph.edges.length < LIVE_REVIEW_EDGES;
  const review = useMemo(
    () =>
      run && !run.error && live
        ? reviewDraft(parseDraftReply(run.reply, run.tokens), graph, selection, run.namespaces, run.omittedEdges)
        : run?.review,
    [run, live, graph, selection],
  );
  const draftSet = useMemo(
    () => (review && run ? draftPolicySet(review.policies, graph, selection, generated.options, `model ${run.model}`) : undefined),
    [review, run, graph, selection, generated.options],
  );
  const flowDiff = useMemo(
    () =>
      review
        ? diffPolicies(
            generated.policies.map((g) => g.policy),
            review.policies,
            graph,
          )
        : undefined,
    [review, generated, graph],
  );
  const rules = useMemo(() => (draftSet ? draftSet.policies.flatMap((g) => g.rules) : []), [draftSet]);
  const ruleObjects = useMemo(() => (review ? draftRules(review.policies) : []), [review]);
  const takenHere = taken && run && taken.reply === run.reply ? taken : undefined;
  const takenRules = takenHere && takenHere.take !== 'draft' ? takenHere.take : [];
  const errors = review?.tally.error ?? 0;
  // The review said as the review column says the policies': the verdict, then one line per kind.
  const edgeKeys = useMemo(() => new Set(graph.edges.map((e) => e.key)), [graph]);
  const groups = useMemo(() => (review ? draftGroups(review, (k) => edgeKeys.has(k)) : []), [review, edgeKeys]);
  const verdict = review ? draftVerdictLine(review) : null;

  const takeRule = (ref: RuleRef) => {
    if (!run) return;
    const next = takenRules.some((r) => sameRef(r, ref)) ? takenRules.filter((r) => !sameRef(r, ref)) : [...takenRules, ref];
    onTake(next.length > 0 ? { model: run.model, reply: run.reply, tokens: { ...run.tokens }, take: next } : undefined);
  };

  const remote = settings && !isLoopback(settings.aiBaseUrl);
  // A remote endpoint without a key would only answer 401: the button says so instead of trying.
  const noKey =
    settings && remote && !settings.apiKeySet
      ? settings.keyStorage.encrypted
        ? `No API key is stored for ${settings.aiBaseUrl}: add one in Settings.`
        : `No API key can be kept here: ${settings.keyStorage.message}`
      : undefined;
  return (
    <section className="ai-panel" aria-label="AI draft">
      <p className="hint">
        A model drafts, netpol-studio checks. It is sent the kept edges as a table (no raw flows, no pod names or addresses) and never
        touches the cluster.{' '}
        {settings && (
          <>
            Model <code>{settings.aiModel || 'not set'}</code> at <code>{settings.aiBaseUrl}</code>.
          </>
        )}
      </p>
      <div className="row">
        <label>
          <input type="checkbox" checked={allowIps} onChange={(e) => setAllowIps(e.target.checked)} /> send external addresses as they are
        </label>
        <label title="The most tokens of edge table to send (estimated); the busiest edges go first, DNS before all">
          token budget{' '}
          <input
            aria-label="Token budget"
            size={7}
            value={budget}
            aria-invalid={budgetValue === undefined}
            onChange={(e) => setBudget(e.target.value.trim())}
          />
        </label>
        <button type="button" onClick={() => void showPreview()} disabled={namespaces.length === 0 || budgetValue === undefined}>
          Preview payload
        </button>
        <button
          type="button"
          onClick={() => void draft()}
          disabled={busy || namespaces.length === 0 || budgetValue === undefined || noKey !== undefined}
          aria-describedby={noKey ? 'ai-blocked' : undefined}
          title={noKey}
        >
          Draft with AI
        </button>
        {busy && (
          <button type="button" onClick={() => void window.netpol.aiCancel()}>
            Cancel
          </button>
        )}
      </div>
      {noKey && (
        <p className="hint blocked-reason" id="ai-blocked" data-testid="ai-blocked">
          {noKey}
        </p>
      )}
      {namespaces.length === 0 && <p className="hint">Choose the namespaces to lock down (Policies tab) first.</p>}
      {error && (
        <Banner kind="error" onClose={() => setError(null)}>
          {error}
        </Banner>
      )}
      {preview && (
        <details open className="ai-preview">
          <summary>
            Payload: {preview.sentEdges} edges, about {preview.estimatedTokens} tokens of {preview.tokenBudget}
            {preview.omittedEdges > 0 ? `; ${preview.omittedEdges} edges cut to fit` : ''} · sha256 {preview.promptSha256.slice(0, 12)}
          </summary>
          <pre data-testid="ai-payload">{preview.text}</pre>
        </details>
      )}
      {streamed !== null && (
        <pre className="ai-stream" data-testid="ai-stream" aria-live="polite">
          {streamed || 'Waiting for the model…'}
        </pre>
      )}
      {run && !busy && (
        <div className="ai-run" data-run={run.id}>
          <h3>
            Draft by <code>{run.model}</code> at {run.endpoint} · {new Date(run.time).toLocaleTimeString()}
          </h3>
          {run.error && (
            <>
              <p className="error" role="alert">
                {run.error.message}
              </p>
              {run.reply && (
                <details>
                  <summary>What arrived ({run.reply.length} characters)</summary>
                  <pre>{run.reply}</pre>
                </details>
              )}
            </>
          )}
          {review && (
            <>
              <Findings label="Draft findings" verdict={verdict} groups={groups} onEdge={onSelectEdge} />
              <p className="hint">
                {review.counts.keptAllowed} kept edges allowed, {review.counts.keptDenied} blocked
                {live ? '' : ' · reviewed when it came; prunes since are not in it'}
              </p>
              <div className="row">
                <button
                  type="button"
                  aria-pressed={takenHere?.take === 'draft'}
                  onClick={() => onTake({ model: run.model, reply: run.reply, tokens: { ...run.tokens }, take: 'draft' })}
                  disabled={review.policies.length === 0}
                >
                  {errors > 0 ? `Take the draft despite ${errors} error(s)` : 'Take the draft'}
                </button>
                <button type="button" aria-pressed={!takenHere} onClick={() => onTake(undefined)}>
                  Keep the deterministic policies
                </button>
              </div>
              <h3>Rules of the draft</h3>
              <ul className="rules ai-rules" aria-label="Draft rules">
                {ruleObjects.map((r, i) => {
                  const text = ruleRefText(r.ref);
                  const on = takenRules.some((t) => sameRef(t, r.ref));
                  const flagged = review.findings.filter((f) => f.subject === text && f.severity !== 'info');
                  return (
                    <li key={text} data-rule={text}>
                      <code>{text}</code> {rules[i]?.comment.split('\n').slice(1).join('; ')}
                      {flagged.map((f) => (
                        <span key={f.code} className={`tag ${f.severity}`}>
                          {' '}
                          {f.code}
                        </span>
                      ))}{' '}
                      <button type="button" aria-pressed={on} onClick={() => takeRule(r.ref)}>
                        {on ? 'Taken · undo' : 'Take this rule'}
                      </button>
                    </li>
                  );
                })}
              </ul>
              {flowDiff && (
                <>
                  <h3>Against the deterministic policies</h3>
                  <FlowList title="Observed flows the draft blocks" flows={flowDiff.newlyBlocked ?? []} onSelect={onSelectEdge} />
                  <FlowList title="Observed flows the draft allows" flows={flowDiff.newlyAllowed ?? []} onSelect={onSelectEdge} />
                  <FlowList
                    title="Unobserved connections the draft opens"
                    flows={flowDiff.openedUnobserved ?? []}
                    onSelect={onSelectEdge}
                  />
                  {(flowDiff.newlyBlocked?.length ?? 0) +
                    (flowDiff.newlyAllowed?.length ?? 0) +
                    (flowDiff.openedUnobserved?.length ?? 0) ===
                    0 && <p className="hint">The draft allows the same observed flows as the deterministic policies.</p>}
                </>
              )}
              {draftSet && (
                <MergeYaml before={policySetYaml(generated)} after={policySetYaml(draftSet)} label="Deterministic and drafted YAML" />
              )}
            </>
          )}
        </div>
      )}
    </section>
  );
}
