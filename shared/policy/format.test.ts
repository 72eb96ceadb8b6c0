import { describe, expect, it } from 'vitest';
import { formatCount } from './format';

describe('formatCount', () => {
  it('groups thousands as en-US does', () => {
    for (const n of [0, 7, 999, 1000, 1204, 12_345, 999_999, 1_000_000, 1_234_567_890, -1204, -999, 2.5, Number.MAX_SAFE_INTEGER])
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
  });
});
