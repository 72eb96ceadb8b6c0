import type { ModeGuide as Guide } from '../../../shared/rollout/mode';

/** Which mode is in use, what it does, the commands it needs (the user runs them; the app never does), and what each verdict then means. */
export function ModeGuide({ guide }: { readonly guide: Guide }) {
  return (
    <section className="mode-guide" aria-label="Mode in use" data-mechanism={guide.mechanism}>
      <h4>{guide.title}</h4>
      <p>{guide.summary}</p>
      {guide.commands.length > 0 && (
        <ol aria-label="Commands to run yourself">
          {guide.commands.map((c) => (
            <li key={c.command}>
              {c.label}
              <pre>
                <code>{c.command}</code>
              </pre>
            </li>
          ))}
        </ol>
      )}
      <dl aria-label="What each verdict means">
        {guide.verdicts.map((v) => (
          <div key={v.verdict}>
            <dt>
              <code>{v.verdict}</code>
            </dt>
            <dd>{v.meaning}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
