// The fields a policy document may hold, level by level, and the ones it holds that no such kind has:
// a typo (`fromEndpoint`, `podSelecter`) that a reader would otherwise skip, leaving a rule that means
// something else (no `from` allows every source). The API server refuses such a field under strict
// field validation (kubectl's default since Kubernetes 1.27), and drops it without; either way the
// document does not say what its author meant, so it is a wrong field, named with the closest known one.
//
// Sources: Kubernetes networking/v1 types (NetworkPolicySpec, NetworkPolicyIngressRule,
// NetworkPolicyEgressRule, NetworkPolicyPeer, IPBlock, NetworkPolicyPort, LabelSelector), and Cilium's
// pkg/policy/api (Rule, IngressRule, IngressDenyRule, EgressRule, EgressDenyRule, PortRule,
// PortProtocol, ICMPRule, ICMPField, CIDRRule, FQDNSelector, EndpointSelector) as in the cilium.io/v2
// CRD of Cilium 1.18, and ObjectMeta's fields. Levels this tool does not judge (L7 rules, listeners, TLS, toServices,
// toGroups, authentication) are not walked.
import { closest } from 'fastest-levenshtein';
import { fieldPath, type FieldIssue } from './field-issue';

/** One level: its known fields, and the level each field's value (an object, or a list of objects) is. */
interface Level {
  readonly fields: readonly string[];
  readonly children?: Readonly<Record<string, Level>>;
}

const SELECTOR: Level = {
  fields: ['matchLabels', 'matchExpressions'],
  children: { matchExpressions: { fields: ['key', 'operator', 'values'] } },
};

/** ObjectMeta (apimachinery meta/v1): a typo such as `namspace` would put the policy in `default`. */
const METADATA: Level = {
  fields: [
    'name',
    'generateName',
    'namespace',
    'selfLink',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'labels',
    'annotations',
    'ownerReferences',
    'finalizers',
    'managedFields',
  ],
};

const NP_PORT: Level = { fields: ['protocol', 'port', 'endPort'] };
const NP_PEER: Level = {
  fields: ['podSelector', 'namespaceSelector', 'ipBlock'],
  children: { podSelector: SELECTOR, namespaceSelector: SELECTOR, ipBlock: { fields: ['cidr', 'except'] } },
};

const NETWORK_POLICY: Level = {
  fields: ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  children: {
    metadata: METADATA,
    spec: {
      fields: ['podSelector', 'policyTypes', 'ingress', 'egress'],
      children: {
        podSelector: SELECTOR,
        ingress: { fields: ['from', 'ports'], children: { from: NP_PEER, ports: NP_PORT } },
        egress: { fields: ['to', 'ports'], children: { to: NP_PEER, ports: NP_PORT } },
      },
    },
  },
};

const CILIUM_PORT_RULE: Level = {
  fields: ['ports', 'rules', 'listener', 'terminatingTLS', 'originatingTLS', 'serverNames'],
  children: { ports: { fields: ['port', 'endPort', 'protocol'] } },
};
const ICMP_RULE: Level = { fields: ['fields'], children: { fields: { fields: ['family', 'type'] } } };
const CIDR_RULE: Level = { fields: ['cidr', 'cidrGroupRef', 'cidrGroupSelector', 'except'], children: { cidrGroupSelector: SELECTOR } };

/** A Cilium rule list's level: its peer fields (from… or to…) and the L4 fields every rule has. */
function ciliumRule(peers: readonly string[], extra: readonly string[] = []): Level {
  const children: Record<string, Level> = { toPorts: CILIUM_PORT_RULE, icmps: ICMP_RULE };
  for (const p of peers) {
    if (p.endsWith('Endpoints') || p.endsWith('Requires') || p.endsWith('Nodes')) children[p] = SELECTOR;
    if (p.endsWith('CIDRSet')) children[p] = CIDR_RULE;
    if (p === 'toFQDNs') children[p] = { fields: ['matchName', 'matchPattern'] };
  }
  return { fields: [...peers, 'toPorts', 'icmps', ...extra], children };
}

const FROM = ['fromEndpoints', 'fromRequires', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromGroups', 'fromNodes'];
const TO = ['toEndpoints', 'toRequires', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes'];

const CILIUM_SPEC: Level = {
  fields: [
    'endpointSelector',
    'nodeSelector',
    'ingress',
    'ingressDeny',
    'egress',
    'egressDeny',
    'labels',
    'description',
    'enableDefaultDeny',
    'log',
  ],
  children: {
    endpointSelector: SELECTOR,
    nodeSelector: SELECTOR,
    ingress: ciliumRule(FROM, ['authentication']),
    ingressDeny: ciliumRule(FROM),
    egress: ciliumRule([...TO, 'toFQDNs'], ['authentication']),
    egressDeny: ciliumRule(TO),
    enableDefaultDeny: { fields: ['ingress', 'egress'] },
  },
};

const CILIUM_POLICY: Level = {
  fields: ['apiVersion', 'kind', 'metadata', 'spec', 'specs', 'status'],
  children: { metadata: METADATA, spec: CILIUM_SPEC, specs: CILIUM_SPEC },
};

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function walk(value: unknown, level: Level, path: (string | number)[], out: FieldIssue[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, level, [...path, i], out));
    return;
  }
  if (!isObject(value)) return; // a wrong type is the schema's to say
  for (const key of Object.keys(value)) {
    if (!level.fields.includes(key)) {
      const near = closest(key, [...level.fields]);
      const where = fieldPath([...path, key]);
      out.push({
        path: where,
        message: `is not a field here${near ? ` (did you mean "${near}"?)` : ''}: the API server refuses it, or without strict field validation drops it, and the rule then allows something else`,
      });
      continue;
    }
    const child = level.children?.[key];
    if (child) walk(value[key], child, [...path, key], out);
  }
}

/**
 * Fields of a NetworkPolicy (or StagedKubernetesNetworkPolicy: the same spec) that its kind does not
 * have, each with its path (`spec.ingress[0].fromm`) and the closest known field. Never throws; a
 * field of the wrong type is left to the schema.
 */
export function unknownNetworkPolicyFields(doc: unknown): FieldIssue[] {
  const out: FieldIssue[] = [];
  walk(doc, NETWORK_POLICY, [], out);
  return out;
}

/** The same for a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy (its `spec` and each of its `specs`). */
export function unknownCiliumFields(doc: unknown): FieldIssue[] {
  const out: FieldIssue[] = [];
  walk(doc, CILIUM_POLICY, [], out);
  return out;
}

/**
 * A NetworkPolicy port given as a string must be a port name (IANA_SVC_NAME: at most 15 lowercase
 * letters, digits and single inner hyphens, with at least one letter; Kubernetes
 * validation.IsValidPortName). A quoted number (`"8000"`) is the common slip: the API server refuses
 * it. Returns the issues of every `ports[].port` in the policy's rules.
 */
export function portNameIssues(doc: unknown): FieldIssue[] {
  const out: FieldIssue[] = [];
  const spec = isObject(doc) ? doc.spec : undefined;
  if (!isObject(spec)) return out;
  for (const direction of ['ingress', 'egress'] as const) {
    const rules = spec[direction];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule, r) => {
      const ports = isObject(rule) ? rule.ports : undefined;
      if (!Array.isArray(ports)) return;
      ports.forEach((p, i) => {
        const port = isObject(p) ? p.port : undefined;
        if (typeof port !== 'string') return;
        const path = fieldPath(['spec', direction, r, 'ports', i, 'port']);
        if (/^\d+$/.test(port))
          out.push({
            path,
            message: `"${port}" is a quoted number, which Kubernetes reads as a port name and refuses: write ${port} without quotes`,
          });
        else if (!/^(?=.*[a-z])[a-z0-9]([a-z0-9]|-(?!-))*$/.test(port) || port.length > 15 || port.endsWith('-'))
          out.push({
            path,
            message: `"${port}" is not a port name (at most 15 lowercase letters, digits and single hyphens inside, with a letter): use the container port's name or its number`,
          });
      });
    });
  }
  return out;
}
