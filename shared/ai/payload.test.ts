import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { initialSelection, prune } from '../graph/selection';
import { fixture, ROOT } from '../testing/fixtures';
import { mixed } from '../testing/mixed-capture';
import { buildDraftPayload, restoreTokens } from './payload';
import { buildDraftMessages, messagesText } from './prompt';
import { extractYaml, parseDraftReply } from './reply';

/** What the capture says that must never leave the machine: every IP, pod name and node name in it. */
function secretsOf(text: string): { ips: Set<string>; podIps: Set<string>; pods: Set<string>; nodes: Set<string> } {
  const all = (re: RegExp) => new Set([...text.matchAll(re)].map((m) => m[1]));
  const podIps = new Set<string>();
  for (const line of text.split('\n')) {
    // The address of an endpoint that has a pod name is a pod address.
    const m = /"IP":\{"source":"([^"]+)","destination":"([^"]+)"/.exec(line);
    if (!m) continue;
    if (/"source":\{[^}]*"pod_name"/.test(line)) podIps.add(m[1]);
    if (/"destination":\{[^}]*"pod_name"/.test(line)) podIps.add(m[2]);
  }
  return {
    ips: all(/"(?:source|destination|source_xlated)":"([0-9a-f.:]+)"/g),
    podIps,
    pods: all(/"pod_name":"([^"]+)"/g),
    nodes: all(/"node_name":"([^"]+)"/g),
  };
}

const captures = [
  ...readdirSync(fixture('hubble', 'cilium-hubble-otel'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => fixture('hubble', 'cilium-hubble-otel', f)),
  fixture('hubble', 'derived', 'dropped-reviews-ratings.jsonl'),
  `${ROOT}/resources/sample-capture.jsonl`,
];

describe('the payload sent to a model', () => {
  it.each(captures.map((c) => [c.slice(ROOT.length + 1), c]))('%s: no IP, pod name or node name from the capture', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const { graph } = analyzeText(text, file);
    const payload = buildDraftPayload(graph, initialSelection(graph), { namespaces: graph.namespaces });
    const sent = messagesText(buildDraftMessages(payload));
    const s = secretsOf(text);
    expect(s.pods.size + s.ips.size).toBeGreaterThan(0);
    for (const ip of s.ips) expect(sent).not.toContain(ip);
    for (const pod of s.pods) expect(sent).not.toContain(pod);
    for (const node of s.nodes) expect(sent).not.toContain(node);
    // Allowing external addresses still sends no pod address.
    const open = messagesText(
      buildDraftMessages(buildDraftPayload(graph, initialSelection(graph), { namespaces: graph.namespaces, allowExternalIps: true })),
    );
    for (const ip of s.podIps) expect(open).not.toContain(ip);
    for (const pod of s.pods) expect(open).not.toContain(pod);
  });

  it('sends the kept edges only, as a table, with tokens for external addresses that restore in the reply', () => {
    const { graph } = analyzeText(mixed, 'mixed.json');
    const sel = prune(initialSelection(graph), ['shop/api->shop/db:5432/TCP']);
    const p = buildDraftPayload(graph, sel, { namespaces: ['shop'] });
    expect(p.sentEdges).not.toContain('shop/api->shop/db:5432/TCP');
    // The dropped web->db edge starts pruned, so it is not sent either.
    expect(p.sentEdges).not.toContain('shop/web->shop/db:5432/TCP');
    expect(p.sentEdges).toHaveLength(6);
    expect(p.table).toContain('monitoring/prometheus {app=prometheus} | shop/api {app=api} | 9090/TCP | 1 |');
    expect(p.table).toContain('external:EXTERNAL_IP_1 (dns: payments.example.com)');
    expect(p.table).not.toContain('203.0.113.7');
    expect(p.tokens).toEqual({ EXTERNAL_IP_1: '203.0.113.7' });
    expect(restoreTokens('cidr: EXTERNAL_IP_1/32 # not EXTERNAL_IP_12', p.tokens)).toBe('cidr: 203.0.113.7/32 # not EXTERNAL_IP_12');
    const open = buildDraftPayload(graph, sel, { namespaces: ['shop'], allowExternalIps: true });
    expect(open.table).toContain('external:203.0.113.7');
    expect(open.tokens).toEqual({});
  });

  it('cuts a large graph to the token budget, DNS first, and says how much was cut', () => {
    const { graph } = analyzeText(mixed, 'mixed.json');
    const p = buildDraftPayload(graph, initialSelection(graph), { namespaces: ['shop'], tokenBudget: 150 });
    expect(p.omittedEdges.length).toBeGreaterThan(0);
    expect(p.sentEdges.length + p.omittedEdges.length).toBe(7);
    expect(p.sentEdges[0]).toMatch(/:53\//);
    expect(p.estimatedTokens).toBeLessThanOrEqual(150);
    expect(p.table).toContain(`# ${p.omittedEdges.length} more connection(s) were left out to fit the size limit.`);
  });

  it('replaces a workload named after its pod with a token', () => {
    const line = JSON.stringify({
      flow: {
        time: '2026-11-01T09:00:00Z',
        verdict: 'FORWARDED',
        IP: { source: '10.0.0.1', destination: '10.0.0.2' },
        l4: { TCP: { source_port: 40000, destination_port: 80 } },
        source: { namespace: 'shop', labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop'], pod_name: 'web-1' },
        destination: { namespace: 'shop', labels: ['k8s:io.kubernetes.pod.namespace=shop'], pod_name: 'lonely-pod-x1' },
        node_name: 'worker-7',
      },
    });
    const { graph } = analyzeText(line, 'x.json');
    const p = buildDraftPayload(graph, initialSelection(graph), { namespaces: ['shop'] });
    expect(p.table).not.toContain('lonely-pod-x1');
    expect(p.table).not.toContain('worker-7');
    expect(Object.values(p.tokens)).toContain('lonely-pod-x1');
  });
});

describe('reading a reply', () => {
  it('takes the YAML lines out of unfenced prose', () => {
    const r = extractYaml(
      'Here you go:\n\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: a\n\nHope this helps!\n',
    );
    expect(r.yaml).toBe('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: a');
    expect(r.ignored).toHaveLength(2);
  });

  it('ignores fenced blocks in other languages and other kinds', () => {
    const reply =
      '```bash\nkubectl apply -f policy.yaml\n```\n```yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: shop}\nspec: {podSelector: {}}\n```';
    const d = parseDraftReply(reply, {});
    expect(d.policies.map((p) => p.metadata.name)).toEqual(['a']);
    expect(d.ignored.join('\n')).toMatch(/`bash` block starting "kubectl apply/);
    expect(d.ignored.join('\n')).toMatch(/skipped ConfigMap "x"/);
    expect(d.problems).toEqual([]);
  });

  it('keeps what parsed from a reply cut inside an unclosed fence', () => {
    const d = parseDraftReply(
      '```yaml\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: shop}\nspec: {podSelector: {}}\n---\napiVersion: networking.k8s.io/v1\nkind: Netw',
      {},
    );
    expect(d.policies.map((p) => p.metadata.name)).toEqual(['a']);
  });
});
