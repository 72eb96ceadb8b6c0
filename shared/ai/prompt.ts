import type { DraftPayload } from './payload';

export interface ChatMessage {
  readonly role: 'system' | 'user';
  readonly content: string;
}

/** The classic recipe users paste into a chat, which the product makes safe by checking the answer. */
export const SEED_RECIPE =
  'Here is Hubble flow data, summarised as one line per observed connection. Generate a default-deny NetworkPolicy ' +
  'plus the minimal set of ingress and egress allow rules that cover exactly these observed flows. Use pod selectors ' +
  'based on the app label, not IP blocks, wherever the traffic is in-cluster. Add a comment above each rule naming ' +
  'the flow it permits.';

/** The rules of the house, which the review checks whether or not the model follows them. */
export const HOUSE_RULES = [
  'Write Kubernetes networking.k8s.io/v1 NetworkPolicy objects only, one YAML document per policy, separated by ---.',
  'Give every policy metadata.namespace, and write policies only for workloads in the namespaces to lock down.',
  'Select pods with the labels given in braces; never select on pod-template-hash or other per-rollout labels.',
  'For a peer in another namespace, put namespaceSelector (kubernetes.io/metadata.name) and podSelector in the SAME peer entry.',
  'Never write an empty podSelector or namespaceSelector inside a peer, and never an empty peer.',
  'Use ipBlock with a /32 only for external addresses; tokens such as EXTERNAL_IP_1 stand for an address: write them as they are.',
  'When DNS traffic (port 53) is listed, allow egress to kube-dns on the DNS protocols listed, for the workloads that made it.',
  'Allow only the listed ports; never a port range wider than observed, never an ephemeral client port.',
  'Entities (entity:host, entity:world and the like) cannot be named by a NetworkPolicy: leave them out and say so in a YAML comment.',
  'Answer with YAML only, with no text before or after it.',
];

/** The chat messages of a draft request: the recipe and house rules as system prompt, the table as the user message. */
export function buildDraftMessages(payload: DraftPayload): ChatMessage[] {
  return [
    {
      role: 'system',
      content: [
        'You write Kubernetes NetworkPolicies from observed traffic. A tool will check every rule you write against the data.',
        '',
        'Rules:',
        ...HOUSE_RULES.map((r, i) => `${i + 1}. ${r}`),
      ].join('\n'),
    },
    { role: 'user', content: `${SEED_RECIPE}\n\n${payload.table}` },
  ];
}

/** Everything sent, as one text: what the user previews before sending. */
export function messagesText(messages: readonly ChatMessage[]): string {
  return messages.map((m) => `--- ${m.role} ---\n${m.content}`).join('\n\n');
}
