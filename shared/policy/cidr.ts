/** IPv4/IPv6 CIDR membership with bigint arithmetic (no Node APIs, so the renderer can use it). */

export interface ParsedCidr {
  readonly v6: boolean;
  readonly base: bigint;
  readonly bits: number;
}

function parseV4(ip: string): bigint | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function parseV6(ip: string): bigint | undefined {
  let s = ip;
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4tail) {
    const v4 = parseV4(v4tail[1]);
    if (v4 === undefined) return undefined;
    s = s.slice(0, -v4tail[1].length) + ((v4 >> 16n) & 0xffffn).toString(16) + ':' + (v4 & 0xffffn).toString(16);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

/** Parses an address into (family, value); undefined when it is not an IP. */
export function parseIp(ip: string): { v6: boolean; value: bigint } | undefined {
  if (ip.includes(':')) {
    const v = parseV6(ip);
    return v === undefined ? undefined : { v6: true, value: v };
  }
  const v = parseV4(ip);
  return v === undefined ? undefined : { v6: false, value: v };
}

export function parseCidr(cidr: string): ParsedCidr | undefined {
  const [addr, len] = cidr.split('/');
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const max = ip.v6 ? 128 : 32;
  const bits = len === undefined ? max : Number(len);
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return undefined;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(max - bits);
  return { v6: ip.v6, base: ip.value & mask, bits };
}

export function cidrContains(cidr: ParsedCidr, ip: string): boolean {
  const p = parseIp(ip);
  if (!p || p.v6 !== cidr.v6) return false;
  const max = cidr.v6 ? 128 : 32;
  const mask = cidr.bits === 0 ? 0n : ((1n << BigInt(cidr.bits)) - 1n) << BigInt(max - cidr.bits);
  return (p.value & mask) === cidr.base;
}

/** The /32 (or /128) CIDR of one address. */
export function hostCidr(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}
