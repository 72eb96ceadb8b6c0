import { describe, expect, it } from 'vitest';
import { directionText, matchTypesText, podsText, serviceText } from './inspector-text';

describe('the inspector wording', () => {
  it.each([
    [
      ['kibana-6c8d9f7b5-x2x2x'],
      ['elasticsearch-master-0', 'elasticsearch-master-1'],
      'kibana-6c8d9f7b5-x2x2x → elasticsearch-master-0 elasticsearch-master-1',
    ],
    // A Service frontend nothing resolved: no server pod, and no arrow pointing at nothing.
    [['kibana-6c8d9f7b5-x2x2x'], [], 'kibana-6c8d9f7b5-x2x2x (client; no server pod seen)'],
    // From the host: no client pod.
    [[], ['productpage-v1-6b746f74dc-9rcxx'], 'productpage-v1-6b746f74dc-9rcxx (server; no client pod seen)'],
    [[], [], '–'],
  ])('pods %j → %j: %s', (src, dst, text) => {
    expect(podsText({ src, dst })).toBe(text);
    expect(podsText({ src, dst })).not.toMatch(/→\s*$|^\s*→/);
  });

  it.each([
    [{ 'L3-L4': 3 }, 'matched as L3-L4 (3 flow events)'],
    [{ 'L4-Only': 1, all: 12, 'L3-Only': 12 }, 'matched as L3-Only (12 flow events), all (12 flow events), L4-Only (1 flow event)'],
  ])('Hubble policy match types %j: %s', (types, text) => {
    expect(matchTypesText(types)).toBe(text);
  });

  it('a guessed direction names the basis it rests on, not the flags', () => {
    const text = directionText({ basis: { 'first-seen': 1 }, uncertain: 1 });
    expect(text).toBe(
      'uncertain for 1 connection(s): nothing in the capture settles who opened them, so this edge may be the reverse of what happened (settled by first packet seen 1)',
    );
  });

  it('an edge to a Service whose backend was not seen names every backend, and says its connections are counted there once', () => {
    const text = serviceText({
      name: 'logging/elasticsearch-master',
      resolvedBy: 'learned-backend',
      backends: [
        { node: 'logging/elasticsearch-master', port: 9200 },
        { node: 'logging/opensearch', port: 9200 },
      ],
    });
    expect(text).toContain('logging/elasticsearch-master:9200, logging/opensearch:9200');
    expect(text).toMatch(/counted here once/);
    expect(text).not.toMatch(/no backend known/);
  });
});
