import { NO_FILTER, type GraphFilter } from '../graph/filter';

/** The tabs of the review column on the right. */
export type ReviewTab = 'policies' | 'diff' | 'rollout' | 'ai' | 'summary';

/**
 * How the work is looked at, none of it saved: the review column's tab (and the panels mounted so
 * far), the policy shown, the graph's filters and toggles, the diff's highlight, the export dialog.
 */
export interface WorkbenchView {
  readonly tab: ReviewTab;
  /** Tabs shown at least once: their panels stay mounted (and keep their state) while hidden. */
  readonly opened: ReadonlySet<ReviewTab>;
  /** The policy whose YAML is shown (`ns/name`), or '' for all of them. */
  readonly shownPolicy: string;
  readonly hideNoise: boolean;
  readonly hideDns: boolean;
  readonly filter: GraphFilter;
  /** Edges the diff marks on the graph (drawn while the Diff tab is shown). */
  readonly highlight: ReadonlySet<string>;
  readonly exporting: boolean;
}

export type ViewAction =
  | { readonly type: 'tab'; readonly tab: ReviewTab }
  /** A policy's YAML, on the Policies tab. */
  | { readonly type: 'show-policy'; readonly policy: string }
  | { readonly type: 'hide-noise'; readonly on: boolean }
  | { readonly type: 'hide-dns'; readonly on: boolean }
  | { readonly type: 'filter'; readonly filter: GraphFilter }
  | { readonly type: 'highlight'; readonly edges: readonly string[] }
  | { readonly type: 'export'; readonly open: boolean };

/** The view a workbench opens with: on `tab`, the nodes' own traffic hidden, nothing filtered. */
export function initialView(tab: ReviewTab): WorkbenchView {
  return {
    tab,
    opened: new Set([tab]),
    shownPolicy: '',
    hideNoise: true,
    hideDns: false,
    filter: NO_FILTER,
    highlight: new Set(),
    exporting: false,
  };
}

const showTab = (v: WorkbenchView, tab: ReviewTab): WorkbenchView =>
  v.tab === tab ? v : { ...v, tab, opened: v.opened.has(tab) ? v.opened : new Set([...v.opened, tab]) };

/** The view after what the user did: pure, so it is tested without React. */
export function viewReducer(v: WorkbenchView, a: ViewAction): WorkbenchView {
  switch (a.type) {
    case 'tab':
      return showTab(v, a.tab);
    case 'show-policy':
      return { ...showTab(v, 'policies'), shownPolicy: a.policy };
    case 'hide-noise':
      return { ...v, hideNoise: a.on };
    case 'hide-dns':
      return { ...v, hideDns: a.on };
    case 'filter':
      return { ...v, filter: a.filter };
    case 'highlight':
      return { ...v, highlight: new Set(a.edges) };
    case 'export':
      return { ...v, exporting: a.open };
  }
}
