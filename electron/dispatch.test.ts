import { describe, expect, it } from 'vitest';
import { recordingHandlers } from '../shared/testing/recording-handlers';
import { createDispatch } from './dispatch';

const APP = 'http://127.0.0.1:4000';

function setup(answer?: (op: string) => Promise<unknown>) {
  const { api, calls } = recordingHandlers(answer);
  return { calls, dispatch: createDispatch(api, (sender) => sender.url === APP) };
}

describe('dispatch (both hosts)', () => {
  it('hands a trusted, valid request to its handler with the parsed arguments', async () => {
    const { dispatch, calls } = setup();
    await expect(dispatch('kubeNamespaces', ['kind-staging'], { url: APP })).resolves.toEqual({ ok: true, value: 'kubeNamespaces' });
    expect(calls).toEqual([{ op: 'kubeNamespaces', args: ['kind-staging'] }]);
  });

  it.each([
    ['an operation that does not exist', 'deleteEverything', [], APP],
    ['a property of every object', 'constructor', [], APP],
    ['an untrusted sender', 'getSummary', [], 'http://evil.example'],
    ['no sender at all', 'getSummary', [], ''],
    ['arguments that fail the schema', 'kubeNamespaces', ['-A'], APP],
    ['too many arguments', 'getSummary', ['x'], APP],
  ])('refuses %s, and no handler runs', async (_name, op, args, url) => {
    const { dispatch, calls } = setup();
    await expect(dispatch(op, args, { url })).resolves.toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(calls).toEqual([]);
  });

  it('a handler that throws is answered as an internal error, not a broken channel', async () => {
    const { dispatch } = setup(() => Promise.reject(new Error('boom')));
    await expect(dispatch('getSummary', [], { url: APP })).resolves.toEqual({
      ok: false,
      error: { code: 'internal', message: 'getSummary failed: boom' },
    });
  });
});
