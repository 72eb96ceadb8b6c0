// What the Rollout tab's fields say, read as data: the namespace map they make, and a rollout
// record's words. Main reads the map again with the same parser; this is for saying at once what
// is wrong, next to the field.
import type { AppliedObjectRecord, RolloutRecord } from '../../../shared/api/contract';
import { isNamespaceName, looksLikeProduction } from '../../../shared/cluster/names';
import { NamespaceMapError, parseNamespaceMap, type NamespaceMap } from '../../../shared/rollout/namespace-map';

/** The map the fields make, as pairs for main and parsed for the drops, or why it cannot be used and which field says so. */
export type TargetMap =
  | { readonly ok: true; readonly pairs: readonly string[]; readonly map: NamespaceMap }
  | { readonly ok: false; readonly problem: string; readonly field: 'target' | 'others' };

/** The target a source's policies go to by default: its staging namespace (`payments` → `payments-staging`), never itself. */
export function defaultTarget(source: string): string {
  const t = `${source}-staging`;
  return source && isNamespaceName(t) ? t : '';
}

/**
 * The namespace map of a rollout of `source`'s policies to `target`, with the other pairs the user
 * typed (`data=data-staging`, separated by commas or spaces) for the namespaces its rules name.
 */
export function targetMap(source: string, target: string, others: string): TargetMap {
  if (!target)
    return {
      ok: false,
      field: 'target',
      problem: `Type the target namespace (for example ${defaultTarget(source) || 'payments-staging'}).`,
    };
  if (!isNamespaceName(target)) return { ok: false, field: 'target', problem: `"${target}" is not a namespace name.` };
  // Each entry is read, and a bad one named: none is left out quietly.
  const entries = others.split(/[\s,;]+/).filter(Boolean);
  try {
    parseNamespaceMap(entries);
  } catch (e) {
    if (e instanceof NamespaceMapError) return { ok: false, field: 'others', problem: `Other namespace pairs: ${e.message}.` };
    throw e;
  }
  try {
    const map = parseNamespaceMap([...(source !== target ? [`${source}=${target}`] : []), ...entries]);
    return { ok: true, pairs: [...map].map(([from, to]) => `${from}=${to}`), map };
  } catch (e) {
    if (e instanceof NamespaceMapError) return { ok: false, field: 'others', problem: `The namespace map cannot be used: ${e.message}.` };
    throw e;
  }
}

/**
 * The warning shown before Apply when the context or the target namespace looks like production by
 * the patterns of Settings (main then asks twice); undefined otherwise.
 */
export function productionWarning(context: string, target: string, patterns: readonly string[]): string | undefined {
  const named = [context, target].find((n) => n && looksLikeProduction(n, patterns));
  return named
    ? `"${named}" looks like production (Settings → production patterns: ${patterns.join(', ')}). Roll out to a staging context and namespace first; main asks twice before it applies here.`
    : undefined;
}

/** An ISO time as the tab shows it, the same on every machine: `2026-11-27 12:00 UTC`. */
export function timeText(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso;
}

/** How a rollout stands, in a few words. */
export function rolloutState(r: RolloutRecord): string {
  if (r.rollback)
    return r.rollback.exitCode === 0
      ? `rolled back ${timeText(r.rollback.at)} (${r.rollback.deleted.length} deleted)`
      : `rollback failed ${timeText(r.rollback.at)} (${r.rollback.deleted.length} deleted; roll back again)`;
  return r.exitCode === 0 ? 'applied' : `partly applied: kubectl exited ${r.exitCode}`;
}

/** The objects a rollout created (rollback deletes these) and those that were there before it (never deleted). */
export function objectsByOrigin(r: RolloutRecord): { created: AppliedObjectRecord[]; existed: AppliedObjectRecord[] } {
  return {
    created: r.objects.filter((o) => o.operation === 'created'),
    existed: r.objects.filter((o) => o.operation !== 'created'),
  };
}
