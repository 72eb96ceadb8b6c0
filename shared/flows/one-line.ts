/** Line breaks of any kind (CR alone included, and Unicode's NEL, LS, PS) with the blanks around them. */
const BREAKS = /[ \t\f\v]*[\n\r\u0085\u2028\u2029]+[\s\u0085]*/g;
/** Control characters that are no line break: a terminal would act on them (ESC, BEL, backspace). */
// eslint-disable-next-line no-control-regex -- finding them is the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * Text taken from the input (a parser's message quoting a bad line, a field's value) as one line:
 * each line break becomes one space, and other control characters their escape (`\u001b`), so a
 * summary, a list or a terminal shows it on the one line it belongs to and nothing acts on it.
 */
export function oneLine(text: string): string {
  return text
    .replace(BREAKS, ' ')
    .replace(/\t/g, ' ')
    .replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
