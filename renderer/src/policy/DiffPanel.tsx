import { Banner } from '../Banner';
import { useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../../../shared/api/contract';
import type { ServiceGraph } from '../../../shared/graph/types';
import { diffPolicies } from '../../../shared/policy/diff';
import { normalisedSetYaml } from '../../../shared/policy/normalise';
import type { NetworkPolicy } from '../../../shared/policy/types';
import { parsePolicies } from '../../../shared/policy/yaml';
import { kubeBlocked, useKubeContexts } from '../kube';
import { FlowList } from './FlowList';
import { MergeYaml } from './MergeYaml';

type Source = 'cluster' | 'file' | 'folder' | 'previous';

interface Baseline {
  readonly label: string;
  readonly policies: readonly NetworkPolicy[];
  /** Only these namespaces of the generation are compared (the cluster's namespace, the file's). */
  readonly namespaces?: readonly string[];
  readonly problems: readonly string[];
}

interface Props {
  readonly graph: ServiceGraph;
  /** The generated Kubernetes NetworkPolicies now, and before the last change. */
  readonly current: readonly NetworkPolicy[];
  readonly previous: readonly NetworkPolicy[] | null;
  readonly namespaces: readonly string[];
  /** Edges to highlight on the graph (the newly blocked ones), and one to select. */
  readonly onHighlight: (edges: readonly string[]) => void;
  readonly onSelectEdge: (edge: string) => void;
}

/** Compares the generation with the cluster's policies (kubectl), a YAML file, or the previous generation. */
export function DiffPanel({ graph, current, previous, namespaces, onHighlight, onSelectEdge }: Props) {
  const [source, setSource] = useState<Source>('cluster');
  const [kubeError, setKubeError] = useState<ApiError | null>(null);
  const { contexts, context, setContext, loaded } = useKubeContexts(setKubeError);
  // Why "Compare with cluster" is greyed out, said beside it.
  const noCluster = kubeBlocked({ error: kubeError, loaded, contexts });
  const [namespace, setNamespace] = useState(namespaces[0] ?? '');
  const [baseline, setBaseline] = useState<Baseline | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);

  // "Previous generation" follows the generation as it changes; the others stay as loaded.
  const effective = useMemo<Baseline | null>(
    () => (source === 'previous' ? (previous ? { label: 'the previous generation', policies: previous, problems: [] } : null) : baseline),
    [source, previous, baseline],
  );

  const diff = useMemo(() => {
    if (!effective) return null;
    const scope = effective.namespaces ? new Set(effective.namespaces) : null;
    const after = scope ? current.filter((p) => scope.has(p.metadata.namespace ?? 'default')) : current;
    // The baseline is written in the generation's key order, as diffPolicies compares it.
    return {
      d: diffPolicies(effective.policies, after, graph),
      before: normalisedSetYaml(effective.policies, after),
      after: normalisedSetYaml(after),
    };
  }, [effective, current, graph]);

  const blocked = diff?.d.newlyBlocked;
  useEffect(() => {
    onHighlight((blocked ?? []).flatMap((f) => (f.edge ? [f.edge] : [])));
  }, [blocked, onHighlight]);
  useEffect(() => () => onHighlight([]), [onHighlight]);

  const fromCluster = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    const r = await window.netpol.existingPolicies(context, namespace);
    setBusy(false);
    if (r.ok) setBaseline({ label: `${context} / ${namespace}`, policies: r.value, namespaces: [namespace], problems: [] });
    else setError(r.error);
  };

  const fromFiles = async (list: FileList | null, folder = false): Promise<void> => {
    if (!list || list.length === 0) return;
    setError(null);
    // A folder gives every file under it: its YAML (and JSON) files are read, the rest left alone.
    const files = [...list].filter((f) => !folder || /\.(ya?ml|json)$/i.test(f.name));
    const name = (f: File): string => f.webkitRelativePath || f.name;
    if (files.length === 0) {
      setBaseline(null);
      setError(`No .yaml, .yml or .json file in ${name(list[0]).split('/')[0]}. Choose a folder of NetworkPolicy YAML.`);
      return;
    }
    const policies: NetworkPolicy[] = [];
    const problems: string[] = [];
    for (const f of files) {
      const parsed = parsePolicies(await f.text());
      policies.push(...parsed.policies);
      for (const p of parsed.problems) problems.push(`${name(f)}: document ${p.document}${p.line ? `, line ${p.line}` : ''}: ${p.message}`);
    }
    if (policies.length === 0) {
      setBaseline(null);
      setError(
        `No NetworkPolicy in ${folder ? name(files[0]).split('/')[0] : files.map(name).join(', ')}. ${problems[0] ?? ''} Choose YAML with networking.k8s.io/v1 NetworkPolicies.`,
      );
      return;
    }
    const fileNamespaces = [...new Set(policies.map((p) => p.metadata.namespace ?? 'default'))].sort();
    const label = folder ? `folder ${name(files[0]).split('/')[0]} (${files.length} files)` : files.map(name).join(', ');
    setBaseline({ label, policies, namespaces: fileNamespaces, problems });
  };

  return (
    <section className="diff" aria-label="Diff">
      <div className="row" role="radiogroup" aria-label="Compare with">
        {(
          [
            ['cluster', 'Cluster'],
            ['file', 'File'],
            ['folder', 'Folder'],
            ['previous', 'Previous generation'],
          ] as const
        ).map(([value, text]) => (
          <label key={value}>
            <input
              type="radio"
              name="diff-source"
              checked={source === value}
              onChange={() => {
                setSource(value);
                setBaseline(null);
                setError(null);
              }}
            />{' '}
            {text}
          </label>
        ))}
      </div>
      {source === 'cluster' && (
        <div className="row">
          <select aria-label="Diff context" value={context} onChange={(e) => setContext(e.target.value)}>
            {contexts.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
          <select aria-label="Diff namespace" value={namespace} onChange={(e) => setNamespace(e.target.value)}>
            {namespaces.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
          <button
            type="button"
            onClick={() => void fromCluster()}
            disabled={busy || noCluster !== undefined || !context || !namespace}
            aria-describedby={noCluster ? 'diff-blocked' : undefined}
            title={noCluster}
          >
            {busy ? 'Reading…' : 'Compare with cluster'}
          </button>
        </div>
      )}
      {source === 'cluster' && noCluster && (
        <p className="blocked" role="note" id="diff-blocked" data-testid="diff-blocked">
          {noCluster}
        </p>
      )}
      {(source === 'file' || source === 'folder') && (
        <div className="row">
          <label>
            {source === 'file' ? 'Policy YAML' : 'Policy folder'}{' '}
            <input
              key={source}
              type="file"
              aria-label={source === 'file' ? 'Policy YAML files' : 'Policy folder'}
              accept={source === 'file' ? '.yaml,.yml,.json' : undefined}
              multiple={source === 'file'}
              // React has no prop for a folder picker (Chromium and Electron alike): set the attribute.
              ref={(el) => {
                if (source === 'folder') el?.setAttribute('webkitdirectory', '');
              }}
              onChange={(e) => void fromFiles(e.target.files, source === 'folder')}
            />
          </label>
        </div>
      )}
      {source === 'previous' && !previous && <p className="muted">No previous generation yet: prune an edge or change an option first.</p>}
      {error && (
        <Banner kind="error" onClose={() => setError(null)}>
          {typeof error === 'string' ? error : error.message}
        </Banner>
      )}
      {effective && diff && (
        <div aria-label="Diff result">
          <p className="diff-summary" role="status">
            Against {effective.label}
            {effective.namespaces ? ` (namespaces ${effective.namespaces.join(', ')})` : ''}: {diff.d.policies.length} policies differ,{' '}
            {diff.d.unchanged} unchanged; {diff.d.newlyBlocked?.length ?? 0} observed flows become blocked,{' '}
            {diff.d.newlyAllowed?.length ?? 0} become allowed.
          </p>
          {effective.problems.length > 0 && (
            <ul className="problems" aria-label="Skipped documents">
              {effective.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          {(diff.d.newlyBlocked?.length ?? 0) > 0 ? (
            <div className="blocked">
              <FlowList title="Newly blocked observed flows" flows={diff.d.newlyBlocked ?? []} onSelect={onSelectEdge} />
            </div>
          ) : (
            // Said in words: an empty warning box would look like a problem with nothing in it.
            <p className="none-blocked" data-testid="none-blocked">
              No observed flow becomes blocked.
            </p>
          )}
          <FlowList title="Newly allowed observed flows" flows={diff.d.newlyAllowed ?? []} onSelect={onSelectEdge} />
          <FlowList title="Opened but never observed" flows={diff.d.openedUnobserved ?? []} onSelect={onSelectEdge} />
          <h3>Policies</h3>
          <ul aria-label="Policy changes">
            {diff.d.policies.map((p) => (
              <li key={p.policy} className={p.change}>
                {p.change} <code>{p.policy}</code>
              </li>
            ))}
          </ul>
          <MergeYaml before={diff.before} after={diff.after} label="YAML before and after" />
        </div>
      )}
    </section>
  );
}
