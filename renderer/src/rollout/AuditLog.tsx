import type { AuditRecord } from '../../../shared/api/contract';
import { timeText } from './target';

/** One audit entry in a line: what was done where, with the map, the rollout, the soak and any override. */
function entryText(a: AuditRecord): string {
  const r = a.rollout;
  const what = a.action === 'apply' ? `${a.files.length} file(s)` : `${r?.deleted?.length ?? a.files.length} deleted`;
  const parts = [`${timeText(a.time)} ${a.action} ${a.namespace} on ${a.context}: ${what}, exit ${a.exitCode}`];
  if (r) parts.push(`${r.stage} ${r.id}${r.namespaceMap.length > 0 ? `, map ${r.namespaceMap.join(', ')}` : ''}`);
  const p = r?.promotion;
  if (p) {
    parts.push(`soak ${p.soak.verdict}${p.soak.verdict !== 'not-run' ? ` (report ${p.soak.hash.slice(0, 12)})` : ''}`);
    if (p.override) parts.push(`override: typed "${p.override.typed}"`);
  }
  return parts.join(' · ');
}

/** Every apply and delete this app ran, newest first, as main's audit log has them. */
export function AuditLog({ entries }: { readonly entries: readonly AuditRecord[] }) {
  return (
    <ul aria-label="Audit log">
      {[...entries].reverse().map((a, i) => (
        <li key={`${a.time}-${a.action}-${i}`}>{entryText(a)}</li>
      ))}
    </ul>
  );
}
