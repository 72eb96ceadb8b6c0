import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { ServiceGraph } from '../../shared/graph/types';
import { generateCilium } from '../../shared/policy/cilium';
import { generate } from '../../shared/policy/generate';
import { parseSelection, serializeSelection } from '../../shared/graph/selection';
import { applyDraftTake } from '../../shared/ai/adopt';
import type { DraftRun } from '../../shared/ai/run';
import type { AiRunRecord, AiTake, WorkspacePayload } from '../../shared/api/contract';
import { AiPanel } from './policy/AiPanel';
import { EdgeList } from './EdgeList';
import { ExportDialog } from './ExportDialog';
import { RolloutPanel } from './RolloutPanel';
import { ReviewTabs, type ReviewTab } from './ReviewTabs';
import { policyYaml } from '../../shared/policy/yaml';
import { graphElements } from './graph/elements';
import { graphLayout } from './graph/layout';
import { edgeMatcher, isFiltering, NO_FILTER, type GraphFilter } from './graph/filter';
import { GraphToolbar } from './graph/GraphToolbar';
import { GraphView, type GraphExporter } from './graph/GraphView';
import { GraphLegend } from './graph/GraphLegend';
import { Inspector } from './Inspector';
import { NodeInspector, type NodePolicy } from './NodeInspector';
import { DiffPanel } from './policy/DiffPanel';
import { Findings } from './policy/Findings';
import { reviewGroups } from './policy/review-groups';
import { firstSightWarnings } from './policy/capture-warnings';
import { MissingData } from './policy/MissingData';
import { useFindings } from './policy/useFindings';
import { runFromRecord, runRecord } from './state/ai-runs';
import { PolicyPanel } from './policy/PolicyPanel';
import type { NetworkPolicy } from '../../shared/policy/types';
import { EMPTY_WORKBENCH, edgesOfNode, edgesOutsideNamespace, namespaceOf, workbenchReducer } from './state/workbench';

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

/** The graph in the centre, edges and inspector beside it, the generated policies on the right. */
export function Workbench({ graph, restore: ws, initialTab = 'policies', onWorkspace, summary }: WorkbenchProps) {
  const [s, dispatch] = useReducer(workbenchReducer, undefined, () =>
    ws
      ? workbenchReducer(EMPTY_WORKBENCH, {
          type: 'restore',
          graph,
          selection: parseSelection(ws.selection),
          namespaces: ws.options.namespaces,
          defaultDeny: ws.options.defaultDeny,
        })
      : workbenchReducer(EMPTY_WORKBENCH, { type: 'load', graph }),
  );
  const [reason, setReason] = useState('');
  const [flavor, setFlavor] = useState<'kubernetes' | 'cilium'>(ws?.options.flavor ?? 'kubernetes');
  const [portRanges, setPortRanges] = useState(ws?.options.portRanges ?? false);
  const [hideNoise, setHideNoise] = useState(true);
  const [hideDns, setHideDns] = useState(false);
  const [filter, setFilter] = useState<GraphFilter>(NO_FILTER);
  const [shownPolicy, setShownPolicy] = useState('');
  const exporter = useRef<GraphExporter>(null);
  const filterRef = useRef<HTMLInputElement>(null);
  const [exporting, setExporting] = useState(false);
  const [tab, setTab] = useState<ReviewTab>(initialTab);
  // The rollout and diff panels ask kubectl for contexts, the AI panel builds its payload: each is
  // mounted on first use, then keeps its state while hidden.
  const [opened, setOpened] = useState<ReadonlySet<ReviewTab>>(() => new Set([initialTab]));
  const show = useCallback((t: ReviewTab) => {
    setTab(t);
    setOpened((o) => (o.has(t) ? o : new Set([...o, t])));
  }, []);
  const [aiRuns, setAiRuns] = useState<readonly AiRunRecord[]>(ws?.aiRuns ?? []);
  const [aiRun, setAiRun] = useState<DraftRun | undefined>(() => {
    const last = ws?.aiRuns?.at(-1);
    return last && ws ? runFromRecord(last, graph, parseSelection(ws.selection)) : undefined;
  });
  const [aiTaken, setAiTaken] = useState<AiTake | undefined>(ws?.aiTaken);
  // Notes are kept as the workspace brought them (the UI has no editor for them yet).
  const notes = ws?.notes ?? '';
  const savedPositions = ws?.positions;
  // Where the user dragged nodes to: kept for the workspace, not re-rendered.
  const moved = useRef<Record<string, { x: number; y: number }>>({ ...(ws?.positions ?? {}) });
  const [movedVersion, setMovedVersion] = useState(0);
  const [highlight, setHighlight] = useState<ReadonlySet<string>>(new Set());
  const onHighlight = useCallback((edges: readonly string[]) => setHighlight(new Set(edges)), []);

  const current = s.graph ?? graph;
  const positions = useMemo(() => graphLayout(current, savedPositions), [current, savedPositions]);
  const match = useMemo(() => (isFiltering(filter) ? edgeMatcher(current, filter) : undefined), [current, filter]);
  const shownEdges = useMemo(() => (match ? current.edges.filter(match) : current.edges), [current, match]);
  const elements = useMemo(
    () => graphElements(current, s.selection, { hideNoise, hideDns, positions, match, highlight: tab === 'diff' ? highlight : undefined }),
    [current, s.selection, hideNoise, hideDns, positions, match, highlight, tab],
  );
  const options = useMemo(
    () => ({ namespaces: s.namespaces, defaultDeny: s.defaultDeny, portRanges }),
    [s.namespaces, s.defaultDeny, portRanges],
  );
  const k8sGenerated = useMemo(() => generate(current, s.selection, options), [current, s.selection, options]);
  // A taken AI draft (or some of its rules), read and reviewed again against the graph as it is now.
  const adopted = useMemo(() => {
    if (!aiTaken) return undefined;
    try {
      return applyDraftTake(k8sGenerated, aiTaken, current, s.selection);
    } catch {
      return undefined;
    }
  }, [aiTaken, k8sGenerated, current, s.selection]);
  const k8sSet = adopted?.set ?? k8sGenerated;
  const set = useMemo(
    () => (flavor === 'cilium' ? generateCilium(current, s.selection, options) : k8sSet),
    [flavor, current, s.selection, options, k8sSet],
  );
  // The diff, findings and rollout speak Kubernetes NetworkPolicy whatever flavor is shown.
  const k8sPolicies = useMemo<readonly NetworkPolicy[]>(() => k8sSet.policies.map((g) => g.policy), [k8sSet]);
  const captureWarnings = useMemo(() => firstSightWarnings(current.warnings), [current]);
  // Above the policies: which set is shown when an AI draft was taken (the capture's notes are findings).
  const notices = useMemo(() => {
    const out: string[] = [];
    if (aiTaken && flavor === 'kubernetes')
      out.unshift(
        aiTaken.take === 'draft'
          ? `Showing the draft by model ${aiTaken.model}, not the deterministic policies (review: ${adopted?.review.verdict ?? 'unreadable'}; see the AI draft tab).`
          : `${aiTaken.take.length} rule(s) taken from the draft by model ${aiTaken.model} (see the AI draft tab).`,
      );
    if (aiTaken && flavor === 'cilium')
      out.unshift('The taken AI draft is Kubernetes NetworkPolicy: the Cilium flavor shows the deterministic policies.');
    return out;
  }, [aiTaken, adopted, flavor]);

  // The workspace as it stands: autosaved by main, and what "Save workspace" writes.
  useEffect(() => {
    onWorkspace?.({
      selection: serializeSelection(s.selection),
      options: { namespaces: [...s.namespaces], defaultDeny: s.defaultDeny, portRanges, flavor },
      notes,
      positions: Object.keys(moved.current).length > 0 ? { ...moved.current } : undefined,
      aiRuns: aiRuns.length > 0 ? [...aiRuns] : undefined,
      aiTaken,
    });
  }, [onWorkspace, s.selection, s.namespaces, s.defaultDeny, portRanges, flavor, notes, aiRuns, aiTaken, movedVersion]);
  // The generation before the last change, for "compare with the previous generation".
  const [generations, setGenerations] = useState<{ cur: readonly NetworkPolicy[]; prev: readonly NetworkPolicy[] | null }>({
    cur: k8sPolicies,
    prev: null,
  });
  if (generations.cur !== k8sPolicies)
    setGenerations({ cur: k8sPolicies, prev: generations.cur.length > 0 ? generations.cur : generations.prev });
  const selectedEdges = useMemo(() => current.edges.filter((e) => s.selected.includes(e.key)), [current, s.selected]);
  // The verdict is on the policies shown, in their flavor.
  const shownPolicies = useMemo(() => (set.flavor === 'cilium' ? set.policies.map((g) => g.policy) : k8sPolicies), [set, k8sPolicies]);
  const { findings, checking } = useFindings({
    policies: shownPolicies,
    graph: current,
    selection: s.selection,
    namespaces: s.namespaces,
    // A deterministic set goes to the worker as its options; only a taken draft as policies.
    generate: adopted && flavor === 'kubernetes' ? undefined : { ...options, flavor },
  });
  const edgeKeys = useMemo(() => new Set(current.edges.map((e) => e.key)), [current]);
  // Each thing said once, errors first: the checks, what the generation could not write, the capture's notes.
  const groups = useMemo(
    () => (findings ? reviewGroups(findings.groups, set.warnings, captureWarnings.notes, (s) => edgeKeys.has(s)) : []),
    [findings, set, captureWarnings, edgeKeys],
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
  const prunedKeys = useMemo(() => new Set(s.selection.pruned.keys()), [s.selection]);

  // The bundle holds the policies shown: in their flavor (a taken AI draft is NetworkPolicy, so only in that one).
  const bundleRequest = useMemo(
    () => ({
      selection: serializeSelection(s.selection),
      options: { namespaces: [...s.namespaces], defaultDeny: s.defaultDeny, portRanges, flavor },
      ai: adopted && flavor === 'kubernetes' ? aiTaken : undefined,
    }),
    [s.selection, s.namespaces, s.defaultDeny, portRanges, adopted, aiTaken, flavor],
  );

  const togglePrune = useCallback(() => {
    dispatch({ type: 'toggle-prune', edges: s.selected, reason: reason.trim() || undefined });
    setReason('');
  }, [s.selected, reason]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'x' || e.key === 'Delete') togglePrune();
      else if (e.key === 'z') dispatch({ type: 'undo' });
      else if (e.key === 'Z') dispatch({ type: 'redo' });
      else if (e.key === '/') filterRef.current?.focus();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [togglePrune]);

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
          onHideNoise={setHideNoise}
          hideDns={hideDns}
          onHideDns={setHideDns}
          filter={filter}
          onFilter={setFilter}
          exporter={exporter}
          exportBlocked={s.namespaces.length === 0 ? 'Choose the namespaces to lock down first (Lock down, on the right).' : undefined}
          flavor={flavor}
          onExport={() => setExporting(true)}
          kept={current.edges.length - prunedKeys.size}
          total={current.edges.length}
          shown={match ? shownEdges.length : undefined}
        />
        <div className="graph-area">
          <GraphView
            layoutKey={positions}
            onMoved={(m) => {
              Object.assign(moved.current, m);
              setMovedVersion((v) => v + 1);
            }}
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
              pruned={s.selection.pruned}
              inScope={selectedNode.namespace !== undefined && s.namespaces.includes(selectedNode.namespace)}
              policy={nodePolicy}
              onSelectEdge={(edge) => dispatch({ type: 'select', edges: [edge] })}
              onShowPolicy={(policy) => {
                setShownPolicy(policy);
                show('policies');
              }}
              onPruneNode={(n) => {
                dispatch({ type: 'prune-edges', edges: edgesOfNode(current, n), reason: `all edges of ${n}` });
              }}
              onKeepNamespace={(ns) => {
                dispatch({ type: 'prune-edges', edges: edgesOutsideNamespace(current, ns), reason: `keep only namespace ${ns}` });
              }}
            />
          ) : (
            <Inspector
              edges={selectedEdges}
              pruned={s.selection.pruned}
              rules={set.policies.flatMap((g) => g.rules)}
              reason={reason}
              onReason={setReason}
              onTogglePrune={togglePrune}
              namespaceOf={(n) => namespaceOf(current, n)}
              onShowRule={(policy) => {
                setShownPolicy(policy);
                show('policies');
              }}
              onPruneNode={(n) => {
                dispatch({ type: 'prune-edges', edges: edgesOfNode(current, n), reason: reason.trim() || `all edges of ${n}` });
                setReason('');
              }}
              onKeepNamespace={(ns) => {
                dispatch({
                  type: 'prune-edges',
                  edges: edgesOutsideNamespace(current, ns),
                  reason: reason.trim() || `keep only namespace ${ns}`,
                });
                setReason('');
              }}
            />
          )}
        </div>
      </div>
      <aside className="right-panel" aria-label="Review">
        <ReviewTabs tab={tab} onTab={show} warnings={current.warnings.length} />
        <MissingData warnings={captureWarnings.dataLoss} />
        {opened.has('ai') && (
          <div hidden={tab !== 'ai'}>
            <AiPanel
              graph={current}
              selection={s.selection}
              namespaces={s.namespaces}
              generated={k8sGenerated}
              taken={aiTaken}
              onTake={setAiTaken}
              run={aiRun}
              onRun={(run) => {
                setAiRun(run);
                setAiRuns((all) => [...all, runRecord(run)].slice(-200));
              }}
              onSelectEdge={(edge) => dispatch({ type: 'select', edges: [edge] })}
            />
          </div>
        )}
        {opened.has('diff') && (
          <div hidden={tab !== 'diff'}>
            <DiffPanel
              graph={current}
              current={k8sPolicies}
              previous={generations.prev}
              namespaces={s.namespaces}
              onHighlight={onHighlight}
              onSelectEdge={(edge) => dispatch({ type: 'select', edges: [edge] })}
            />
          </div>
        )}
        {opened.has('rollout') && (
          <div hidden={tab !== 'rollout'}>
            <RolloutPanel
              namespaces={s.namespaces}
              policiesFor={(ns) =>
                set.policies.flatMap((g: (typeof set.policies)[number]) => (g.policy.metadata.namespace === ns ? [policyYaml(g)] : []))
              }
              onAllowDrop={(drop) => dispatch({ type: 'allow-drop', drop })}
              flavor={set.flavor}
            />
          </div>
        )}
        <div hidden={tab !== 'policies'}>
          <Findings
            verdict={findings?.verdict ?? null}
            groups={groups}
            checking={checking}
            onEdge={(edge) => dispatch({ type: 'select', edges: [edge] })}
            onPolicy={(policy) => setShownPolicy(policy)}
          />
          <PolicyPanel
            set={set}
            namespaces={current.namespaces}
            scope={s.namespaces}
            defaultDeny={s.defaultDeny}
            portRanges={portRanges}
            onPortRanges={setPortRanges}
            flavor={flavor}
            onScope={(ns) => dispatch({ type: 'scope', namespaces: ns })}
            onDefaultDeny={(on) => dispatch({ type: 'default-deny', on })}
            onFlavor={setFlavor}
            focus={focusWorkloads}
            which={shownPolicy}
            onWhich={setShownPolicy}
            notices={notices}
          />
        </div>
        <div hidden={tab !== 'summary'}>{summary}</div>
      </aside>
      {exporting && <ExportDialog request={bundleRequest} onClose={() => setExporting(false)} />}
    </div>
  );
}
