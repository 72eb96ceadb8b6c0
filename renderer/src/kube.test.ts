import { describe, expect, it } from 'vitest';
import { kubeBlocked } from './kube';

describe('kubeBlocked', () => {
  it.each([
    [
      'kubectl missing: main says so and what to do',
      {
        error: {
          code: 'not-installed' as const,
          message: 'kubectl was not found on your PATH.',
          hint: 'Install kubectl, or set its path in Settings.',
        },
        loaded: true,
        contexts: [],
      },
      'kubectl was not found on your PATH. Install kubectl, or set its path in Settings.',
    ],
    ['no context', { error: null, loaded: true, contexts: [] }, /^kubectl knows no context: add your cluster to your kubeconfig/],
    ['kubectl has not answered yet', { error: null, loaded: false, contexts: [] }, undefined],
    ['a context to use', { error: null, loaded: true, contexts: ['kind-staging'] }, undefined],
  ])('%s', (_what, k, said) => {
    const r = kubeBlocked(k);
    if (said instanceof RegExp) expect(r).toMatch(said);
    else expect(r).toBe(said);
  });
});
