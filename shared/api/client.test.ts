import { describe, expect, it } from 'vitest';
import { netpolApi, type Transport } from './client';
import { EVENT_NAMES, OPERATIONS, type EventName, type NetpolApi, type Operation } from './contract';

function recording() {
  const invoked: { op: string; args: unknown[] }[] = [];
  const subscribed: string[] = [];
  const transport: Transport = {
    invoke: (op, args) => {
      invoked.push({ op, args: [...args] });
      return Promise.resolve({ ok: true, value: null as never });
    },
    subscribe: (event) => {
      subscribed.push(event);
      return () => undefined;
    },
  };
  return { api: netpolApi(transport), invoked, subscribed };
}

const subscription = (e: EventName) => `on${e[0].toUpperCase()}${e.slice(1)}` as keyof NetpolApi;

describe('window.netpol (the preload and the bridge build it alike)', () => {
  it('has one function per operation and one subscription per event, nothing else', () => {
    const { api } = recording();
    expect(Object.keys(api).sort()).toEqual([...OPERATIONS, ...EVENT_NAMES.map(subscription)].sort());
  });

  it.each(OPERATIONS)('%s calls its own operation, with its arguments', async (op: Operation) => {
    const { api, invoked } = recording();
    await (api[op] as (...a: unknown[]) => Promise<unknown>)('a', 1);
    expect(invoked).toEqual([{ op, args: ['a', 1] }]);
  });

  it.each(EVENT_NAMES)('the subscription to %s listens to that event', (event) => {
    const { api, subscribed } = recording();
    (api[subscription(event)] as (l: () => void) => () => void)(() => undefined);
    expect(subscribed).toEqual([event]);
  });
});
