import { describe, expect, it } from 'vitest';
import { isFiltering, NO_FILTER } from '../graph/filter';
import { initialView, viewReducer, type ViewAction, type WorkbenchView } from './view';

const run = (actions: readonly ViewAction[], from: WorkbenchView = initialView('policies')): WorkbenchView =>
  actions.reduce(viewReducer, from);

describe('the workbench view', () => {
  it('opens on its tab (the only one mounted), the nodes’ own traffic hidden, nothing filtered, highlighted or exported', () => {
    const v = initialView('summary');
    expect([v.tab, [...v.opened]]).toEqual(['summary', ['summary']]);
    expect([v.hideNoise, v.hideDns, v.exporting, v.highlight.size, v.shownPolicy]).toEqual([true, false, false, 0, '']);
    expect(isFiltering(v.filter)).toBe(false);
  });

  it('keeps every tab shown once mounted, in the order they were first shown', () => {
    const v = run([
      { type: 'tab', tab: 'diff' },
      { type: 'tab', tab: 'ai' },
      { type: 'tab', tab: 'diff' },
      { type: 'tab', tab: 'policies' },
    ]);
    expect(v.tab).toBe('policies');
    expect([...v.opened]).toEqual(['policies', 'diff', 'ai']);
  });

  it('showing the tab already shown changes nothing (no new render)', () => {
    const v = initialView('policies');
    expect(viewReducer(v, { type: 'tab', tab: 'policies' })).toBe(v);
  });

  it('a policy shown from a finding, a rule or the node inspector brings the Policies tab forward with its YAML', () => {
    const v = run([
      { type: 'tab', tab: 'rollout' },
      { type: 'show-policy', policy: 'bookinfo/ratings' },
    ]);
    expect(v).toMatchObject({ tab: 'policies', shownPolicy: 'bookinfo/ratings' });
    expect([...v.opened]).toEqual(['policies', 'rollout']);
    expect(viewReducer(v, { type: 'show-policy', policy: '' }).shownPolicy).toBe('');
  });

  it('graph toggles, filters, the highlight and the export dialog each change only themselves', () => {
    const base = initialView('policies');
    const filter = { ...NO_FILTER, namespace: 'jaeger' };
    const cases: [ViewAction, Partial<WorkbenchView>][] = [
      [{ type: 'hide-noise', on: false }, { hideNoise: false }],
      [{ type: 'hide-dns', on: true }, { hideDns: true }],
      [{ type: 'filter', filter }, { filter }],
      [{ type: 'highlight', edges: ['a->b:80/TCP'] }, { highlight: new Set(['a->b:80/TCP']) }],
      [{ type: 'export', open: true }, { exporting: true }],
    ];
    for (const [action, change] of cases) expect(viewReducer(base, action)).toEqual({ ...base, ...change });
  });
});
