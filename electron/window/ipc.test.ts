import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../shared/api/channels';
import { CONTRACT, OPERATIONS } from '../../shared/api/contract';
import { recordingHandlers } from '../../shared/testing/recording-handlers';
import { createDispatch } from '../dispatch';
import { registerIpc, type IpcRegistry } from './ipc';

type Listener = Parameters<IpcRegistry['handle']>[1];

const APP = 'file:///app/index.html';
const TARGET = {
  context: 'kind-staging',
  namespace: 'shop-staging',
  namespaceMap: ['shop=shop-staging'],
  flavor: 'kubernetes',
  policies: ['apiVersion: networking.k8s.io/v1'],
};

function setup() {
  const handlers = new Map<string, Listener>();
  // Every operation answers with its own name, so a reply shows which handler ran.
  const { api, calls } = recordingHandlers();
  registerIpc(
    { handle: (ch, l) => handlers.set(ch, l) },
    createDispatch(api, (sender) => sender.url === APP),
  );
  const invoke = (channel: string, url: string, ...args: unknown[]) => handlers.get(channel)?.({ senderFrame: { url } }, ...args);
  return { handlers, calls, invoke };
}

describe('IPC contract', () => {
  it('registers exactly one handler per operation, on the channels the preload uses', () => {
    const { handlers } = setup();
    expect(handlers.size).toBe(OPERATIONS.length);
    for (const op of OPERATIONS) {
      expect(CONTRACT[op].channel).toBe(CHANNELS[op]);
      expect(handlers.has(CHANNELS[op])).toBe(true);
    }
  });

  it('serves our own frame, with the parsed arguments', async () => {
    const { invoke, calls } = setup();
    await expect(invoke(CHANNELS.getSummary, APP)).resolves.toEqual({ ok: true, value: 'getSummary' });
    await invoke(CHANNELS.dryRun, APP, TARGET, 'server');
    await invoke(CHANNELS.startCapture, APP, { namespace: 'shop', window: { kind: 'follow', seconds: 60 } });
    expect(calls.map((c) => c.op)).toEqual(['getSummary', 'dryRun', 'startCapture']);
    expect(calls[1].args).toEqual([TARGET, 'server']);
  });

  it.each([
    ['another frame', CHANNELS.loadSample, 'https://evil.example/', []],
    ['arguments where none are taken', CHANNELS.openCapture, APP, ['/etc/passwd']],
    ['a context that is a flag', CHANNELS.kubeNamespaces, APP, ['--kubeconfig=/etc/shadow']],
    ['a namespace that is not a name', CHANNELS.existingPolicies, APP, ['kind-staging', 'Shop Prod']],
    ['a dry-run mode that does not exist', CHANNELS.dryRun, APP, [TARGET, 'none']],
    [
      'a namespace map that is no list of pairs',
      CHANNELS.applyRollout,
      APP,
      [{ ...TARGET, mode: 'enforce', namespaceMap: 'shop=shop-staging' }],
    ],
    ['a rollback of something that is no rollout id', CHANNELS.rollbackRollout, APP, ['networkpolicy/allow-all']],
    ['a capture window without its fields', CHANNELS.startCapture, APP, [{ namespace: 'shop', window: { kind: 'follow' } }]],
    ['a setting that is not one (the API key)', CHANNELS.updateSettings, APP, [{ apiKey: 'sk-1' }]],
  ])('refuses %s before any service sees it', async (_name, channel, url, args) => {
    const { invoke, calls } = setup();
    await expect(invoke(channel, url, ...args)).resolves.toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(calls).toEqual([]);
  });
});
