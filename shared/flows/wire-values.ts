// Field values as a capture's JSON gives them, checked before they become domain values: a reader
// keeps a record whose field has the wrong type or an impossible value, without that field, and
// never lets it through as if it were right (an address "not-an-ip", port 70000, labels that are
// a string). Shared by the Hubble and Calico readers so that both mean the same by "an address".
import { parseIp } from '../policy/cidr';

/** A port number (an integer 0–65535), or undefined for anything else. */
export function portValue(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535 ? v : undefined;
}

export function stringValue(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A plain JSON object (not null, not an array), or undefined. */
export function objectValue(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The strings of a list (other items dropped); undefined when the value is not a list. */
export function stringList(v: unknown): readonly string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.every((x) => typeof x === 'string') ? v : v.filter((x): x is string => typeof x === 'string');
}

const ADDRESS_CACHE_MAX = 100_000;

/**
 * Which strings are IP addresses (IPv4 or IPv6). A capture names a few thousand addresses over
 * millions of records, so the answers for valid ones are cached (one checker per read).
 */
export class AddressCheck {
  private readonly valid = new Set<string>();

  /** The address when `v` is an IP address, else undefined. */
  of(v: unknown): string | undefined {
    if (typeof v !== 'string' || v === '') return undefined;
    if (this.valid.has(v)) return v;
    if (!parseIp(v)) return undefined;
    if (this.valid.size >= ADDRESS_CACHE_MAX) this.valid.clear();
    this.valid.add(v);
    return v;
  }
}
