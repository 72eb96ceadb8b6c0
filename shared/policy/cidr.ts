/**
 * IP addresses and CIDR blocks, IPv4 and IPv6, on ipaddr.js (no Node APIs, so the renderer can use
 * it). One place for address arithmetic: the policy engine, lint, generation and the graph's pod
 * networks all use these. An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is read as IPv4, as the
 * kernel and Cilium treat it.
 */
import ipaddr from 'ipaddr.js';

/** An inclusive range of addresses of one family, as integers (IPv4 < 2^32, IPv6 < 2^128). */
export interface IpRange {
  readonly v6: boolean;
  readonly start: bigint;
  readonly end: bigint;
}

/** A parsed CIDR: its family, network address and prefix length. */
export interface ParsedCidr extends IpRange {
  readonly base: bigint;
  readonly bits: number;
}

function toBigInt(bytes: readonly number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function fromBigInt(n: bigint, v6: boolean): string {
  const bytes: number[] = [];
  for (let i = 0; i < (v6 ? 16 : 4); i++) {
    bytes.unshift(Number(n & 255n));
    n >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** Parses an address into (family, value); undefined when it is not an IP. */
export function parseIp(ip: string): { v6: boolean; value: bigint } | undefined {
  if (!isAddress(ip)) return undefined;
  const a = ipaddr.process(ip);
  return { v6: a.kind() === 'ipv6', value: toBigInt(a.toByteArray()) };
}

/**
 * Whether `text` is an address as Kubernetes and the CNIs write one (Go's `net.ParseIP`): four
 * decimal parts for IPv4, or IPv6 text. ipaddr.js alone also takes the legacy forms `10`,
 * `1.2.3` and `0x0a.0.0.1`, which no capture or policy means as an address.
 */
function isAddress(text: string): boolean {
  return text.includes(':') ? ipaddr.IPv6.isValid(text) : ipaddr.IPv4.isValidFourPartDecimal(text);
}

/** The address of an integer value, in its canonical text form (`10.0.0.1`, `2001:db8::1`). */
export function ipText(value: bigint, v6: boolean): string {
  return fromBigInt(value, v6);
}

/**
 * Parses `a.b.c.d/n` or `x::y/n` (a bare address counts as /32 or /128). Host bits are masked off,
 * as Kubernetes does for ipBlock (`10.0.0.1/24` is 10.0.0.0/24). Undefined when it is not a CIDR.
 */
export function parseCidr(cidr: string): ParsedCidr | undefined {
  const slash = cidr.indexOf('/');
  const addr = slash < 0 ? cidr : cidr.slice(0, slash);
  if (!isAddress(addr)) return undefined;
  const parsed = ipaddr.parse(addr);
  // A mapped address with an IPv6 prefix length counts as the IPv4 prefix it covers.
  const v4mapped = parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress();
  const v6 = parsed.kind() === 'ipv6' && !v4mapped;
  const max = v6 ? 128 : 32;
  let bits = max;
  if (slash >= 0) {
    const text = cidr.slice(slash + 1);
    if (!/^\d{1,3}$/.test(text)) return undefined;
    bits = Number(text) - (v4mapped ? 96 : 0);
    if (bits < 0 || bits > max) return undefined;
  }
  const value = toBigInt((v4mapped ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed).toByteArray());
  const size = 1n << BigInt(max - bits);
  const base = value - (value % size);
  return { v6, base, bits, start: base, end: base + size - 1n };
}

/** Is the address inside the CIDR (same family)? */
export function cidrContains(cidr: IpRange, ip: string): boolean {
  const p = parseIp(ip);
  return !!p && p.v6 === cidr.v6 && p.value >= cidr.start && p.value <= cidr.end;
}

/** Do the two ranges share an address? */
export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.v6 === b.v6 && a.start <= b.end && b.start <= a.end;
}

/** Does `outer` hold every address of `inner`? */
export function rangeCovers(outer: IpRange, inner: IpRange): boolean {
  return outer.v6 === inner.v6 && outer.start <= inner.start && inner.end <= outer.end;
}

/**
 * An ipBlock as disjoint sorted ranges: its CIDR minus the union of its `except` CIDRs (excepts of
 * the other family or outside the block take nothing away). Empty when the CIDR does not parse.
 */
export function blockRanges(cidr: string, except: readonly string[] = []): IpRange[] {
  const whole = parseCidr(cidr);
  if (!whole) return [];
  const holes = except
    .flatMap((e) => {
      const r = parseCidr(e);
      return r && r.v6 === whole.v6 ? [r] : [];
    })
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: IpRange[] = [];
  let from = whole.start;
  for (const h of holes) {
    if (h.end < from || h.start > whole.end) continue;
    if (h.start > from) out.push({ v6: whole.v6, start: from, end: h.start - 1n });
    if (h.end + 1n > from) from = h.end + 1n;
  }
  if (from <= whole.end) out.push({ v6: whole.v6, start: from, end: whole.end });
  return out;
}

/** The /32 (or /128) CIDR of one address. */
export function hostCidr(ip: string): string {
  const p = parseIp(ip);
  return p ? `${fromBigInt(p.value, p.v6)}/${p.v6 ? 128 : 32}` : ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/** The network of `bits` (default /24 for IPv4, /64 for IPv6) that holds the address, as CIDR text. */
export function networkOf(ip: string, bits?: number): string | undefined {
  const p = parseIp(ip);
  if (!p) return undefined;
  const max = p.v6 ? 128 : 32;
  const b = Math.min(max, bits ?? (p.v6 ? 64 : 24));
  const size = 1n << BigInt(max - b);
  return `${fromBigInt(p.value - (p.value % size), p.v6)}/${b}`;
}

/** The whole address space of a family. */
export function allAddresses(v6: boolean): IpRange {
  return { v6, start: 0n, end: v6 ? (1n << 128n) - 1n : (1n << 32n) - 1n };
}
