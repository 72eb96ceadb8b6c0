import type { GraphWarning } from '../../../shared/graph/types';

/** The capture's data-loss warnings, above the verdict and every tab: policies from it may block traffic nobody saw. */
export function MissingData({ warnings }: { readonly warnings: readonly GraphWarning[] }) {
  if (warnings.length === 0) return null;
  return (
    <section className="missing-data" aria-label="Data missing from the capture">
      <h3>Flows are missing from this capture: the policies may block traffic it did not record</h3>
      <ul>
        {warnings.map((w) => (
          <li key={w.code} data-code={w.code}>
            {w.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
