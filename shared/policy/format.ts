/** `1,204` */
export function formatCount(n: number): string {
  // toLocaleString costs microseconds a call and generation formats counts for every rule: group by hand.
  if (!Number.isInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? `-${out}` : out;
}

const pad = (n: number): string => String(n).padStart(2, '0');
const day = (d: Date): string => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const time = (d: Date): string => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;

/** `2026-11-01 09:00–17:00 UTC`, or with both dates when the window spans days. */
export function formatWindow(startMs: number, endMs: number): string {
  const a = new Date(startMs);
  const b = new Date(endMs);
  return day(a) === day(b) ? `${day(a)} ${time(a)}–${time(b)} UTC` : `${day(a)} ${time(a)} – ${day(b)} ${time(b)} UTC`;
}
