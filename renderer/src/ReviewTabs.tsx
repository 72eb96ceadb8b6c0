import type { ReviewTab } from './state/view';

const TABS: readonly { readonly tab: ReviewTab; readonly label: string }[] = [
  { tab: 'policies', label: 'Policies' },
  { tab: 'diff', label: 'Diff' },
  { tab: 'rollout', label: 'Rollout' },
  { tab: 'ai', label: 'AI draft' },
  { tab: 'summary', label: 'Summary' },
];

interface Props {
  readonly tab: ReviewTab;
  readonly onTab: (tab: ReviewTab) => void;
  /** How many warnings the capture summary holds (shown on its tab). */
  readonly warnings: number;
}

/** Policies, Diff, Rollout, AI draft and the capture's Summary (with its warning count). */
export function ReviewTabs({ tab, onTab, warnings }: Props) {
  return (
    <div className="tabs" role="tablist">
      {TABS.map((t) => (
        <button key={t.tab} type="button" role="tab" aria-selected={tab === t.tab} onClick={() => onTab(t.tab)}>
          {t.label}
          {t.tab === 'summary' && warnings > 0 && (
            <span className="badge" title="Warnings to read before trusting policies from this capture">
              {' '}
              {warnings}
            </span>
          )}
        </button>
      ))}
    </div>
  );
}
