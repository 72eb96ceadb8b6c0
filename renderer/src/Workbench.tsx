import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { ServiceGraph } from '../../shared/graph/types';
import { generateCilium } from '../../shared/policy/cilium';
import { generate } from '../../shared/policy/generate';
import { stagedSet } from '../../shared/policy/staged';
import { applyDraftTake } from '../../shared/ai/adopt';
import type { WorkspacePayload } from '../../shared/api/contract';
import { AiPanel } from './policy/AiPanel';
import { EdgeList } from './EdgeList';
import { ExportDialog } from './ExportDialog';
import { RolloutPanel, type VerifySummary } from './RolloutPanel';
import { ReviewTabs } from './ReviewTabs';
import { policyYaml } from '../../shared/policy/yaml';
import { graphElements, NOISE } from './graph/elements';
import { graphLayout } from './graph/layout';
import { edgeMatcher, isFiltering } from './graph/filter';
import { GraphToolbar } from './graph/GraphToolbar';
import { GraphView, type GraphExporter } from './graph/GraphView';
import { GraphLegend } from './graph/GraphLegend';
import { Inspector } from './Inspector';
import { NodeInspector, type NodePolicy } from './NodeInspector';
import { DiffPanel } from './policy/DiffPanel';
import { Findings } from './policy/Findings';
import { coverageVerdictLine } from './policy/finding-groups';
import { reviewGroups } from './policy/review-groups';
import { firstSightWarnings } from './policy/capture-warnings';
import { MissingData } from './policy/MissingData';
import { useFindings } from './policy/useFindings';
import { PolicyPanel } from './policy/PolicyPanel';
import type { NetworkPolicy } from '../../shared/policy/types';
import { initialView, viewReducer, type ReviewTab } from './state/view';
import { EMPTY_WORKBENCH, edgesOfNode, edgesOutsideNamespace, namespaceOf, workbenchReducer, workspaceOf } from './state/workbench';

const typing = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);

interface WorkbenchProps {
  readonly graph: ServiceGraph;
  /** A saved workspace to start from (its pruning, options, positions and AI runs). Mount anew (a new key) to restore another. */
  readonly restore?: WorkspacePayload;
  /** The tab to open on (Policies unless said). */
  readonly initialTab?: ReviewTab;
  /** Called with the workspace whenever it changes: for autosave and "Save workspace". */
  readonly onWorkspace?: (ws: WorkspacePayload) => void;
  /** The capture's summary, on its own tab. */
  readonly summary?: React.ReactNode;
}

/**
 * The generation before the last change of `current`, for "compare with the previous generation":
 * what a render saw before, kept as React keeps information from earlier renders.
 */
function usePreviousGeneration(current: readonly NetworkPolicy[]): readonly NetworkPolicy[] | null {
  const [generations, setGenerations] = useState<{ cur: readonly NetworkPolicy[]; prev: readonly NetworkPolicy[] | null }>({
    cur: current,
    prev: null,
  });
  if (generations.cur !== current) setGenerations({ cur: current, prev: generations.cur.length > 0 ? generations.cur : generations.prev });
  return generations.prev;
}

/** The graph in the centre, edges and inspector beside it, the generated policies on the right. */
export function Workbench({ graph, restore: ws, initialTab = 'policies', onWorkspace, summary }: WorkbenchProps) {
  const [s, dispatch] = useReducer(workbenchReducer, undefined, () =>
    workbenchReducer(EMPTY_WORKBENCH, ws ? { type: 'restore', graph, workspace: ws } : { type: 'load', graph }),
  );
  const [view, viewDispatch] = useReducer(viewReducer, initialTab, initialView);
  const exporter = useRef<GraphExporter>(null);
  const filterRef = useRef<HTMLInputElement>(null);
  // The layout places nodes where the workspace had them; later drags move them on screen only.
  const savedPositions = ws?.positions;
  const onHighlight = useCallback((edges: readonly string[]) => viewDispatch({ type: 'highlight', edges }), []);
  const showTab = useCallback((tab: ReviewTab) => viewDispatch({ type: 'tab', tab }), []);
  const showPolicy = useCallback((policy: string) => viewDispatch({ type: 'show-policy', policy }), []);
  const selectEdge = useCallback((edge: string) => dispatch({ type: 'select', edges: [edge] }), []);
  const { selection, namespaces, defaultDeny, portRanges, flavor, notes, moved, aiRuns, aiTaken } = s;
  const { tab, filter, hideNoise, hideDns, highlight } = view;

  const current = s.graph ?? graph;
  const positions = useMemo(() => graphLayout(current, savedPositions), [current, savedPositions]);
  const match = useMemo(() => (isFiltering(filter) ? edgeMatcher(current, filter) : undefined), [current, filter]);
  const shownEdges = useMemo(() => (match ? current.edges.filter(match) : current.edges), [current, match]);
  const elements = useMemo(
    () => graphElements(current, selection, { hideNoise, hideDns, positions, match, highlight: tab === 'diff' ? highlight : undefined }),
    [current, selection, hideNoise, hideDns, positions, match, highlight, tab],
  );
  const options = useMemo(() => ({ namespaces, defaultDeny, portRanges }), [namespaces, defaultDeny, portRanges]);
  const k8sGenerated = useMemo(() => generate(current, selection, options), [current, selection, options]);
  // A taken AI draft (or some of its rules), read and reviewed again against the graph as it is now.
  const adopted = useMemo(() => {
    if (!aiTaken) return undefined;
    try {
      return applyDraftTake(k8sGenerated, aiTaken, current, selection);
    } catch {
      return undefined;
    }
  }, [aiTaken, k8sGenerated, current, selection]);
  const k8sSet = adopted?.set ?? k8sGenerated;
  const set = useMemo(
    () => (flavor === 'cilium' ? generateCilium(current, selection, options) : flavor === 'calico-staged' ? stagedSet(k8sSet) : k8sSet),
    [flavor, current, selection, options, k8sSet],
  );
  // The diff, findings and rollout speak Kubernetes NetworkPolicy whatever flavor is shown.
  const k8sPolicies = useMemo<readonly NetworkPolicy[]>(() => k8sSet.policies.map((g) => g.policy), [k8sSet]);
  const previousPolicies = usePreviousGeneration(k8sPolicies);
  const captureWarnings = useMemo(() => firstSightWarnings(current.warnings), [current]);
  // Above the policies: which set is shown when an AI draft was taken (the capture's notes are findings).
  const notices = useMemo(() => {
    if (!aiTaken) return [];
    if (flavor === 'cilium') return ['The taken AI draft is Kubernetes NetworkPolicy: the Cilium flavor shows the deterministic policies.'];
    return [
      aiTaken.take === 'draft'
        ? `Showing the draft by model ${aiTaken.model}, not the deterministic policies (review: ${adopted?.review.verdict ?? 'unreadable'}; see the AI draft tab).`
        : `${aiTaken.take.length} rule(s) taken from the draft by model ${aiTaken.model} (see the AI draft tab).`,
    ];
  }, [aiTaken, adopted, flavor]);

  // The workspace as it stands: autosaved by main, and what "Save workspace" writes.
  const workspace = useMemo(
    () => workspaceOf({ selection, namespaces, defaultDeny, portRanges, flavor, notes, moved, aiRuns, aiTaken }),
    [selection, namespaces, defaultDeny, portRanges, flavor, notes, moved, aiRuns, aiTaken],
  );
  useEffect(() => {
    onWorkspace?.(workspace);
  }, [onWorkspace, workspace]);
  const selectedEdges = useMemo(() => current.edges.filter((e) => s.selected.includes(e.key)), [current, s.selected]);
  // The verdict is on the policies shown, in their flavor.
  const shownPolicies = useMemo(() => (set.flavor === 'cilium' ? set.policies.map((g) => g.policy) : k8sPolicies), [set, k8sPolicies]);
  const { findings, checking } = useFindings({
    policies: shownPolicies,
    graph: current,
    selection,
    namespaces,
    // A deterministic set goes to the worker as its options; only a taken draft as policies.
    // Staged policies are judged as the NetworkPolicies they preview.
    generate: adopted && flavor !== 'cilium' ? undefined : { ...options, flavor: flavor === 'cilium' ? 'cilium' : 'kubernetes' },
  });
  // The verdict of the Policies tab, repeated on the Rollout tab with its counts.
  const verifySummary = useMemo<VerifySummary | undefined>(() => {
    if (!findings || checking) return undefined;
    const count = (key: string): number => findings.groups.find((g) => g.key === key)?.count ?? 0;
    const line = coverageVerdictLine(findings.verdict);
    // Blocked: by the rules, or because no policy of the flavor can allow the edge.
    const blocked = count('kept-denied') + count('kept-inexpressible');
    return { status: findings.verdict.status, text: line.text, blocked, undecided: count('kept-undecided') };
  }, [findings, checking]);
  const edgeKeys = useMemo(() => new Set(current.edges.map((e) => e.key)), [current]);
  // Each thing said once, errors first: the checks, what the generation could not write, the capture's notes.
  const policied = useMemo(() => new Set(set.policies.flatMap((g) => (g.workload ? [g.workload] : []))), [set]);
  const groups = useMemo(
    () =>
      findings
        ? reviewGroups(findings.groups, set.warnings, captureWarnings.notes, (k) => edgeKeys.has(k), policied, findings.dnsLint)
        : [],
    [findings, set, captureWarnings, edgeKeys, policied],
  );
  // The selected node, its edges in and out, and the policy generated for it (in the flavor shown).
  const selectedNode = useMemo(
    () => (s.selectedNode ? (current.nodes.find((n) => n.id === s.selectedNode) ?? null) : null),
    [current, s.selectedNode],
  );
  const nodeEdges = useMemo(
    () => (selectedNode ? current.edges.filter((e) => e.source === selectedNode.id || e.target === selectedNode.id) : []),
    [current, selectedNode],
  );
  const nodePolicy = useMemo<NodePolicy | undefined>(() => {
    const g = selectedNode ? set.policies.find((p) => p.workload === selectedNode.id) : undefined;
    return g ? { id: `${g.policy.metadata.namespace}/${g.policy.metadata.name}`, rules: g.rules } : undefined;
  }, [set, selectedNode]);
  const focusWorkloads = useMemo(() => new Set(selectedEdges.flatMap((e) => [e.source, e.target])), [selectedEdges]);
  // An edge selected from a finding or the list is shown in the graph, even when its end is the
  // nodes' own traffic that the graph hides by default (a failing remote-node edge, say).
  useEffect(() => {
    if (hideNoise && selectedEdges.some((e) => NOISE.has(e.source) || NOISE.has(e.target))) viewDispatch({ type: 'hide-noise', on: false });
  }, [hideNoise, selectedEdges]);
  const prunedKeys = useMemo(() => new Set(selection.pruned.keys()), [selection]);

  // The bundle holds the policies shown: in their flavor (a taken AI draft is NetworkPolicy, so only in that one).
  const bundleRequest = useMemo(
    () => ({ selection: workspace.selection, options: workspace.options, ai: adopted && flavor !== 'cilium' ? aiTaken : undefined }),
    [workspace, adopted, aiTaken, flavor],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'x' || e.key === 'Delete') dispatch({ type: 'toggle-prune' });
      else if (e.key === 'z') dispatch({ type: 'undo' });
      else if (e.key === 'Z') dispatch({ type: 'redo' });
      else if (e.key === '/') filterRef.current?.focus();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="workbench">
      <div className="graph-column">
        <GraphToolbar
          namespaces={current.namespaces}
          canUndo={s.undo.length > 0}
          canRedo={s.redo.length > 0}
          onUndo={() => dispatch({ type: 'undo' })}
          onRedo={() => dispatch({ type: 'redo' })}
          hideNoise={hideNoise}
          onHideNoise={(on) => viewDispatch({ type: 'hide-noise', on })}
          hideDns={hideDns}
          onHideDns={(on) => viewDispatch({ type: 'hide-dns', on })}
          filter={filter}
          onFilter={(f) => viewDispatch({ type: 'filter', filter: f })}
          exporter={exporter}
          exportBlocked={namespaces.length === 0 ? 'Choose the namespaces to lock down first (Lock down, on the right).' : undefined}
          flavor={flavor}
          onExport={() => viewDispatch({ type: 'export', open: true })}
          kept={current.edges.length - prunedKeys.size}
          total={current.edges.length}
          shown={match ? shownEdges.length : undefined}
        />
        <div className="graph-area">
          <GraphView
            layoutKey={positions}
            onMoved={(m) => dispatch({ type: 'moved', positions: m })}
            fitKey={filter}
            exporter={exporter}
            elements={elements}
            selected={s.selected}
            onSelect={(edges) => dispatch({ type: 'select', edges })}
            selectedNode={s.selectedNode}
            onSelectNode={(node) => dispatch({ type: 'select-node', node })}
          />
          <GraphLegend />
        </div>
        <div className="below-graph">
          <EdgeList
            ref={filterRef}
            edges={shownEdges}
            pruned={prunedKeys}
            selected={s.selected}
            onSelect={(keys, additive) => dispatch({ type: 'select', edges: additive ? [...new Set([...s.selected, ...keys])] : keys })}
          />
          {selectedNode ? (
            <NodeInspector
              node={selectedNode}
              edges={nodeEdges}
              pruned={selection.pruned}
              inScope={selectedNode.namespace !== undefined && namespaces.includes(selectedNode.namespace)}
              policy={nodePolicy}
              onSelectEdge={selectEdge}
              onShowPolicy={showPolicy}
              onPruneNode={(n) => dispatch({ type: 'prune-edges', edges: edgesOfNode(current, n), reason: `all edges of ${n}` })}
              onKeepNamespace={(ns) =>
                dispatch({ type: 'prune-edges', edges: edgesOutsideNamespace(current, ns), reason: `keep only namespace ${ns}` })
              }
            />
          ) : (
            <Inspector
              edges={selectedEdges}
              pruned={selection.pruned}
              rules={set.policies.flatMap((g) => g.rules)}
              reason={s.reason}
              onReason={(text) => dispatch({ type: 'reason', text })}
              onTogglePrune={() => dispatch({ type: 'toggle-prune' })}
              namespaceOf={(n) => namespaceOf(current, n)}
              onShowRule={showPolicy}
              onPruneNode={(n) =>
                dispatch({ type: 'prune-edges', edges: edgesOfNode(current, n), reason: `all edges of ${n}`, typedReason: true })
              }
              onKeepNamespace={(ns) =>
                dispatch({
                  type: 'prune-edges',
                  edges: edgesOutsideNamespace(current, ns),
                  reason: `keep only namespace ${ns}`,
                  typedReason: true,
                })
              }
            />
          )}
        </div>
      </div>
      <aside className="right-panel" aria-label="Review">
        <ReviewTabs tab={tab} onTab={showTab} warnings={current.warnings.length} />
        <MissingData warnings={captureWarnings.dataLoss} />
        {view.opened.has('ai') && (
          <div hidden={tab !== 'ai'}>
            <AiPanel
              graph={current}
              selection={selection}
              namespaces={namespaces}
              generated={k8sGenerated}
              taken={aiTaken}
              onTake={(take) => dispatch({ type: 'ai-take', take })}
              run={s.aiRun}
              onRun={(run) => dispatch({ type: 'ai-run', run })}
              onSelectEdge={selectEdge}
            />
          </div>
        )}
        {view.opened.has('diff') && (
          <div hidden={tab !== 'diff'}>
            <DiffPanel
              graph={current}
              current={k8sPolicies}
              previous={previousPolicies}
              namespaces={namespaces}
              onHighlight={onHighlight}
              onSelectEdge={selectEdge}
            />
          </div>
        )}
        {view.opened.has('rollout') && (
          <div hidden={tab !== 'rollout'}>
            <RolloutPanel
              namespaces={namespaces}
              policiesFor={(ns) =>
                set.policies.flatMap((g: (typeof set.policies)[number]) => (g.policy.metadata.namespace === ns ? [policyYaml(g)] : []))
              }
              onAllowDrop={(drop) => dispatch({ type: 'allow-drop', drop })}
              flavor={set.flavor}
              selection={workspace.selection}
              verify={verifySummary}
            />
          </div>
        )}
        <div hidden={tab !== 'policies'}>
          <Findings
            verdict={findings ? coverageVerdictLine(findings.verdict) : null}
            groups={groups}
            checking={checking}
            onEdge={selectEdge}
            onPolicy={showPolicy}
          />
          <PolicyPanel
            set={set}
            namespaces={current.namespaces}
            scope={namespaces}
            defaultDeny={defaultDeny}
            portRanges={portRanges}
            onPortRanges={(on) => dispatch({ type: 'port-ranges', on })}
            flavor={flavor}
            onScope={(ns) => dispatch({ type: 'scope', namespaces: ns })}
            onDefaultDeny={(on) => dispatch({ type: 'default-deny', on })}
            onFlavor={(f) => dispatch({ type: 'flavor', flavor: f })}
            focus={focusWorkloads}
            which={view.shownPolicy}
            onWhich={showPolicy}
            notices={notices}
          />
        </div>
        <div hidden={tab !== 'summary'}>{summary}</div>
      </aside>
      {view.exporting && <ExportDialog request={bundleRequest} onClose={() => viewDispatch({ type: 'export', open: false })} />}
    </div>
  );
}
