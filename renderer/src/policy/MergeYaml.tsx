import { yaml } from '@codemirror/lang-yaml';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { MergeView } from '@codemirror/merge';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { useEffect, useRef } from 'react';

const THEME = EditorView.theme({
  '&': { fontSize: '12px', backgroundColor: '#fff' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' },
});

const readOnly: Extension[] = [
  yaml(),
  syntaxHighlighting(defaultHighlightStyle),
  EditorState.readOnly.of(true),
  EditorView.editable.of(false),
  THEME,
];

/** Side-by-side, read-only YAML (CodeMirror merge view): `before` on the left, `after` on the right. */
export function MergeYaml({ before, after, label }: { readonly before: string; readonly after: string; readonly label: string }) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // A shadow root for the same reason as YamlView: constructed style sheets pass the strict CSP.
    const shadow = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    const mount = document.createElement('div');
    shadow.replaceChildren(mount);
    const view = new MergeView({
      root: shadow,
      parent: mount,
      a: { doc: before, extensions: readOnly },
      b: { doc: after, extensions: readOnly },
      collapseUnchanged: { margin: 3, minSize: 6 },
      gutter: true,
    });
    return () => view.destroy();
  }, [before, after]);

  return <div ref={host} className="merge-yaml" aria-label={label} data-before-length={before.length} data-after-length={after.length} />;
}
