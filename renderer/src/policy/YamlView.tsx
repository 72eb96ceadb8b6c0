import { yaml } from '@codemirror/lang-yaml';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'react';

const THEME = EditorView.theme({
  // As tall as the window allows below the tabs, the findings and the options.
  '&': { fontSize: '12px', maxHeight: 'max(320px, calc(100vh - 330px))', backgroundColor: '#fff' },
  '.cm-scroller': { overflow: 'auto', fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' },
  '.cm-gutters': { backgroundColor: '#f5f7fa', color: '#9aa5b1', border: 'none' },
});

/** Read-only YAML with highlighting (CodeMirror 6); the document is replaced when the text changes. */
export function YamlView({ text, label }: { readonly text: string; readonly label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);

  useEffect(() => {
    // Inside a shadow root CodeMirror styles itself with constructed style sheets, which the strict
    // CSP (no inline <style>) allows; in the document it would need 'unsafe-inline'.
    const shadow = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    const mount = document.createElement('div');
    shadow.replaceChildren(mount);
    view.current = new EditorView({
      root: shadow,
      parent: mount,
      state: EditorState.create({
        doc: '',
        extensions: [
          lineNumbers(),
          yaml(),
          syntaxHighlighting(defaultHighlightStyle),
          EditorState.readOnly.of(true),
          EditorView.editable.of(false),
          EditorView.lineWrapping,
          THEME,
        ],
      }),
    });
    return () => view.current?.destroy();
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== text) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
  }, [text]);

  return <div ref={host} className="yaml" aria-label={label} data-testid="policy-yaml" data-text-length={text.length} />;
}
