// The runtime schema of the `cilium.io/v2` CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy
// fields this tool reads (the shapes in cilium-types.ts). Source of the shapes: cilium/cilium
// pkg/policy/api (rule.go, ingress.go, egress.go, l4.go, cidr.go, entity.go, fqdn.go, icmp.go)
// and the entity list of https://docs.cilium.io/en/latest/security/policy/layer3/#entities-based.
// Objects are loose: a field this schema does not check (toServices, authentication, …) is kept; a
// field no Cilium policy has (a typo such as fromEndpoint) is refused by known-fields.ts.
import { z } from 'zod';
import { parseCidr } from './cidr';
import type { CiliumNetworkPolicy } from './cilium-types';
import { unknownCiliumFields } from './known-fields';
import { fieldPath, type Validated } from './field-issue';

const labels = z.record(z.string(), z.string({ error: 'expected a string label value' }));

const selector = z.looseObject({
  matchLabels: labels.optional(),
  matchExpressions: z
    .array(
      z.looseObject({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

const cidr = z.string().refine((s) => parseCidr(s) !== undefined, { error: 'expected an address or CIDR such as 192.0.2.0/24' });

const cidrRule = z.looseObject({
  cidr: cidr.optional(),
  except: z.array(cidr).optional(),
  cidrGroupRef: z.string().optional(),
});

/** Cilium's entities (docs: Entities based; pkg/policy/api/entity.go adds world-ipv4 and world-ipv6). */
export const CILIUM_ENTITIES = [
  'all',
  'cluster',
  'health',
  'host',
  'ingress',
  'init',
  'kube-apiserver',
  'remote-node',
  'unmanaged',
  'world',
  'world-ipv4',
  'world-ipv6',
] as const;
const entities = z.array(z.enum(CILIUM_ENTITIES, { error: `expected one of ${CILIUM_ENTITIES.join(', ')}` }));

/**
 * `port` is a string in Cilium's CRD ("80", or a named port): the API server refuses a number
 * (`must be of type string`), so a policy written `port: 80` is never applied and allows nothing it
 * says. Refused here the same way, with the fix.
 */
const port = z
  .string({
    error: (i) =>
      typeof i.input === 'number'
        ? `is the number ${i.input}: Cilium's CRD takes port as a string, and the API server refuses a number; write "${i.input}" in quotes`
        : 'expected a string such as "80"',
  })
  .min(1);

const portRule = z.looseObject({
  ports: z
    .array(
      z.looseObject({
        port: port.optional(),
        endPort: z.int().min(0).max(65535).optional(),
        protocol: z.enum(['TCP', 'UDP', 'SCTP', 'ANY'], { error: 'expected one of TCP, UDP, SCTP, ANY' }).optional(),
      }),
    )
    .optional(),
  rules: z.record(z.string(), z.unknown()).optional(),
});

const icmpRule = z.looseObject({
  fields: z.array(
    z.looseObject({
      type: z.union([z.int(), z.string()], { error: 'expected number or string' }),
      family: z.enum(['IPv4', 'IPv6']).optional(),
    }),
  ),
});

const fqdn = z
  .looseObject({ matchName: z.string().optional(), matchPattern: z.string().optional() })
  .refine((f) => f.matchName !== undefined || f.matchPattern !== undefined, { error: 'needs matchName or matchPattern' });

const rule = z.looseObject({
  fromEndpoints: z.array(selector).optional(),
  toEndpoints: z.array(selector).optional(),
  fromRequires: z.array(selector).optional(),
  toRequires: z.array(selector).optional(),
  fromEntities: entities.optional(),
  toEntities: entities.optional(),
  fromCIDR: z.array(cidr).optional(),
  toCIDR: z.array(cidr).optional(),
  fromCIDRSet: z.array(cidrRule).optional(),
  toCIDRSet: z.array(cidrRule).optional(),
  toFQDNs: z.array(fqdn).optional(),
  fromNodes: z.array(selector).optional(),
  toNodes: z.array(selector).optional(),
  toPorts: z.array(portRule).optional(),
  icmps: z.array(icmpRule).optional(),
});

const spec = z
  .looseObject({
    endpointSelector: selector.optional(),
    nodeSelector: selector.optional(),
    ingress: z.array(rule).optional(),
    egress: z.array(rule).optional(),
    ingressDeny: z.array(rule).optional(),
    egressDeny: z.array(rule).optional(),
    enableDefaultDeny: z.looseObject({ ingress: z.boolean().optional(), egress: z.boolean().optional() }).optional(),
    description: z.string().optional(),
  })
  // rule.go: "EndpointSelector and NodeSelector cannot be both empty and are mutually exclusive."
  .refine((s) => (s.endpointSelector === undefined) !== (s.nodeSelector === undefined), {
    error: 'needs exactly one of endpointSelector and nodeSelector',
  });

const policy = z
  .looseObject({
    apiVersion: z.literal('cilium.io/v2'),
    kind: z.enum(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']),
    metadata: z.looseObject({
      name: z.string().min(1, { error: 'is required' }),
      namespace: z.string().optional(),
      labels: labels.optional(),
      annotations: labels.optional(),
    }),
    spec: spec.optional(),
    specs: z.array(spec).optional(),
  })
  .refine((p) => p.spec !== undefined || p.specs !== undefined, { error: 'needs spec or specs', path: ['spec'] });

/** Validates one CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy; never throws. Ports come back as strings. */
export function validateCiliumPolicy(value: unknown): Validated<CiliumNetworkPolicy> {
  const r = policy.safeParse(value, { reportInput: true });
  const unknown = unknownCiliumFields(value);
  if (r.success) {
    const read: CiliumNetworkPolicy = r.data;
    return unknown.length > 0 ? { ok: false, issues: unknown } : { ok: true, value: read };
  }
  return {
    ok: false,
    issues: [
      ...r.error.issues.map((i) => ({
        path: fieldPath(i.path) || '(the document)',
        message: i.code === 'invalid_type' && i.input === undefined ? 'is required' : i.message,
      })),
      ...unknown,
    ],
  };
}
