import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../shared/api/channels';
import { CONTRACT, OPERATIONS, type NetpolApi } from '../shared/api/contract';
import { registerIpc, type IpcRegistry } from './ipc';

type Listener = Parameters<IpcRegistry['handle']>[1];

function setup() {
  const handlers = new Map<string, Listener>();
  const calls: string[] = [];
  const api: NetpolApi = {
    openCapture: () => (calls.push('openCapture'), Promise.resolve({ ok: false, error: { code: 'cancelled', message: 'x' } })),
    loadSample: () => (calls.push('loadSample'), Promise.resolve({ ok: false, error: { code: 'cancelled', message: 'x' } })),
    getSummary: () => (calls.push('getSummary'), Promise.resolve({ ok: true, value: null })),
  };
  registerIpc({ handle: (ch, l) => handlers.set(ch, l) }, api, (url) => url === 'file:///app/index.html');
  const invoke = (channel: string, url: string, ...args: unknown[]) => handlers.get(channel)?.({ senderFrame: { url } }, ...args);
  return { handlers, calls, invoke };
}

describe('IPC contract', () => {
  it('registers exactly one handler per operation, on the channels the preload uses', () => {
    const { handlers } = setup();
    expect([...handlers.keys()].sort()).toEqual(Object.values(CHANNELS).sort());
    for (const op of OPERATIONS) expect(CONTRACT[op].channel).toBe(CHANNELS[op]);
  });

  it('serves our own frame', async () => {
    const { invoke, calls } = setup();
    await expect(invoke(CHANNELS.getSummary, 'file:///app/index.html')).resolves.toEqual({ ok: true, value: null });
    expect(calls).toEqual(['getSummary']);
  });

  it('refuses requests from other frames, and payloads that do not fit the schema', async () => {
    const { invoke, calls } = setup();
    await expect(invoke(CHANNELS.loadSample, 'https://evil.example/')).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    await expect(invoke(CHANNELS.openCapture, 'file:///app/index.html', '/etc/passwd')).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-request', message: expect.stringMatching(/^Refused openCapture/) as unknown },
    });
    expect(calls).toEqual([]);
  });
});
