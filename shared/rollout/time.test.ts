import { describe, expect, it } from 'vitest';
import { parseDuration, parseInstant, TimeFormatError } from './time';

describe('parseInstant', () => {
  it.each([
    ['2021-11-10T12:00:00Z', Date.UTC(2021, 10, 10, 12)],
    ['2021-11-10T13:00:00+01:00', Date.UTC(2021, 10, 10, 12)],
    ['2021-11-10T07:00:00-0500', Date.UTC(2021, 10, 10, 12)],
    ['2021-11-10 12:00Z', Date.UTC(2021, 10, 10, 12)],
    ['2021-11-10T12:00:00.250Z', Date.UTC(2021, 10, 10, 12) + 250],
  ])('reads %s', (text, ms) => {
    expect(parseInstant(text)).toBe(ms);
  });

  it.each([['2021-11-10T12:00:00'], ['yesterday'], ['1h'], ['2021-02-30T00:00:00Z'], ['2021-11-10T24:30:00Z'], ['']])(
    'refuses %j, saying what it takes',
    (text) => {
      expect(() => parseInstant(text)).toThrow(TimeFormatError);
      expect(() => parseInstant(text)).toThrow(/RFC 3339|exists/);
    },
  );
});

describe('parseDuration', () => {
  it.each([
    ['24h', 86_400_000],
    ['36h', 129_600_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['90m', 5_400_000],
    ['45s', 45_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([['0h'], ['24'], ['h'], ['30m1h'], ['-1h'], ['1.5h'], ['']])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/not a duration such as 24h/);
  });
});
