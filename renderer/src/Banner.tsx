import type { ReactNode } from 'react';

interface Props {
  /** An error (role alert, red) or a notice (role status, amber). */
  readonly kind: 'error' | 'notice';
  /** Closes it: a banner never stays for good once read. */
  readonly onClose: () => void;
  readonly children: ReactNode;
  readonly label?: string;
  readonly testId?: string;
}

/**
 * A message above the work: what failed, or what just happened, with a close button. Its owner
 * also clears it when what it talks about changes (another capture opened, the action retried).
 */
export function Banner({ kind, onClose, children, label, testId }: Props) {
  return (
    <div
      className={`${kind === 'error' ? 'error' : 'banner'} closable`}
      role={kind === 'error' ? 'alert' : 'status'}
      aria-label={label}
      data-testid={testId}
    >
      {/* The glyph is drawn by CSS, so the banner's text is only its message. */}
      <button type="button" className="close" aria-label="Dismiss" title="Dismiss" onClick={onClose} />
      {children}
    </div>
  );
}
