import { calicoEnterpriseEvent, calicoGoldmaneEvent, calicoTextEvent, CALICO_TEXT_FIELDS, isCalicoTextHeader } from './calico';
import { HubbleDecoder } from './hubble';
import type { CaptureEvent, CaptureFormat } from './types';

export type ObjectKind = 'hubble' | 'calico-enterprise' | 'calico-goldmane';

/** Recognises which tool wrote a JSON object, from the fields only that tool writes. */
export function classifyObject(o: Record<string, unknown>): ObjectKind | undefined {
  if ('flow' in o || 'node_status' in o || 'lost_events' in o) return 'hubble';
  if (('source' in o || 'destination' in o) && ('l4' in o || 'IP' in o || 'verdict' in o || 'Type' in o)) return 'hubble';
  if ('Key' in o || 'key' in o) return 'calico-goldmane';
  if ('source_name_aggr' in o || 'dest_name_aggr' in o || ('reporter' in o && 'proto' in o)) return 'calico-enterprise';
  if ('source_name' in o && ('protocol' in o || 'dest_port' in o)) return 'calico-goldmane';
  return undefined;
}

export function formatOfObject(kind: ObjectKind, inArray: boolean): CaptureFormat {
  if (kind === 'hubble') return inArray ? 'hubble-json-array' : 'hubble-jsonpb';
  return kind === 'calico-enterprise' ? 'calico-enterprise-json' : 'calico-goldmane-json';
}

/**
 * Converts a classified JSON object into a capture event (throws with a reason on bad content).
 * `hubble` is the read's own decoder: its endpoint caches belong to that read.
 */
export function eventOfObject(kind: ObjectKind, o: Record<string, unknown>, hubble: HubbleDecoder = new HubbleDecoder()): CaptureEvent {
  switch (kind) {
    case 'hubble':
      return hubble.decode(o);
    case 'calico-enterprise':
      return calicoEnterpriseEvent(o);
    case 'calico-goldmane':
      return calicoGoldmaneEvent(o);
  }
}

/** True when a non-JSON line is (the header of) the Calico text format. */
export function looksLikeCalicoText(line: string): boolean {
  if (isCalicoTextHeader(line)) return true;
  const f = line.trim().split(/\s+/);
  return f.length === CALICO_TEXT_FIELDS.length && /^\d{9,}$/.test(f[0]) && /^\d{9,}$/.test(f[1]);
}

export { calicoTextEvent, isCalicoTextHeader };

/** Describes what an unusable file looks like, to say so in the error. */
export function describeNonCapture(sample: string): string {
  const head = sample.replace(/^\uFEFF/, '').trimStart();
  if (head === '') return 'the file is empty';
  // eslint-disable-next-line no-control-regex
  const binary = /[\u0000-\u0008\u000e-\u001f]/.exec(head.slice(0, 4096));
  if (binary || head.includes('\uFFFD')) return 'the file is binary, not text';
  if (/^(---|apiVersion:|kind:|[A-Za-z_][\w.-]*:\s)/m.test(head.slice(0, 2048)))
    return 'the file looks like YAML (a Kubernetes manifest?), not a flow capture';
  if (head.startsWith('{') || head.startsWith('[')) return 'the file is JSON, but no object in it is a Hubble flow or a Calico flow log';
  return 'no line is a Hubble flow or a Calico flow log';
}
