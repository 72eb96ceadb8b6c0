// Times and durations as a rollout is given them: the instant of an apply, the length of a business
// cycle. (They are shown with graph/warnings' formatDuration and policy/format's formatWindow, in UTC.)

/** A time or duration that cannot be read, with what is expected instead. */
export class TimeFormatError extends Error {}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/;

/**
 * Reads an instant in RFC 3339 (`2026-11-01T12:00:00Z`, `2026-11-01T13:00:00+01:00`, seconds and
 * fractions optional; what `hubble observe --since` and kubectl print) into epoch milliseconds. A
 * time without its zone is refused: it would mean a different instant on each machine.
 * Throws TimeFormatError.
 */
export function parseInstant(text: string): number {
  const t = text.trim();
  const m = RFC3339.exec(t);
  if (!m)
    throw new TimeFormatError(
      `"${text}" is not a time with its zone (RFC 3339, for example 2026-11-01T12:00:00Z or 2026-11-01T13:00:00+01:00)`,
    );
  const [, y, mo, d, h, mi, s] = m;
  const ms = Date.parse(t.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  // Date.parse rolls 2026-02-30 over to March: a field out of range is refused instead.
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)));
  const valid =
    check.getUTCFullYear() === Number(y) &&
    check.getUTCMonth() === Number(mo) - 1 &&
    check.getUTCDate() === Number(d) &&
    check.getUTCHours() === Number(h) &&
    check.getUTCMinutes() === Number(mi) &&
    Number(s ?? 0) < 60;
  if (!valid || !Number.isFinite(ms)) throw new TimeFormatError(`"${text}" is not a date and time that exists`);
  return ms;
}

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/**
 * Reads a duration such as `24h`, `36h`, `7d`, `1h30m`, `90m` (units d, h, m, s, each at most once, in
 * that order) into milliseconds; it must be positive. Throws TimeFormatError.
 */
export function parseDuration(text: string): number {
  const t = text.trim();
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  const ms = m ? [m[1], m[2], m[3], m[4]].reduce((sum, v, i) => sum + Number(v ?? 0) * UNIT_MS['dhms'[i]], 0) : 0;
  if (!m || t === '' || !(ms > 0))
    throw new TimeFormatError(`"${text}" is not a duration such as 24h, 36h, 7d or 1h30m (units d, h, m, s)`);
  return ms;
}
