import { describe, expect, it } from 'vitest';
import { oneLine } from './one-line';

describe('oneLine', () => {
  it.each([
    ['a line feed, with the blanks around it', 'a \n  b', 'a b'],
    ['CRLF', 'a\r\nb', 'a b'],
    ['a carriage return alone (it sends a terminal back to the line start)', '..."\r"oops"\r: }}"', '..." "oops" : }}"'],
    ['Unicode line and paragraph separators, and NEL', 'a\u2028b\u2029c\u0085d', 'a b c d'],
    ['a tab', 'a\tb', 'a b'],
    ['an escape sequence, shown not run', 'red \u001b[31mtext', 'red \\u001b[31mtext'],
    ['NUL, BEL and DEL', 'a\u0000b\u0007c\u007f', 'a\\u0000b\\u0007c\\u007f'],
    ['plain text, unchanged', 'invalid JSON: the record is not closed on this line', 'invalid JSON: the record is not closed on this line'],
  ])('%s', (_what, text, line) => {
    expect(oneLine(text)).toBe(line);
  });
});
