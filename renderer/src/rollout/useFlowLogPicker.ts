import { useRef, type RefObject } from 'react';
import type { ApiError, Result } from '../../../shared/api/contract';

/**
 * "Check soak from a flow-log file…": in the desktop app main shows its own file dialog; in the
 * browser host there is none, so the page picks the file and streams it to the host first (the
 * upload Open capture uses), and main then reads that one.
 */
export function useFlowLogPicker(
  /** The hidden file input of the page (browser host only). */
  input: RefObject<HTMLInputElement | null>,
  onError: (e: ApiError) => void,
): {
  /** Starts a check: `check` runs once a file is chosen (and, in the browser host, uploaded). */
  readonly pick: (check: () => void) => void;
  /** The hidden input's change: uploads the file picked, then runs the check waiting for it. */
  readonly picked: (file: File | undefined) => Promise<void>;
} {
  const waiting = useRef<(() => void) | undefined>(undefined);
  return {
    pick: (check) => {
      if (!window.netpolHost) return check();
      waiting.current = check;
      input.current?.click();
    },
    picked: async (file) => {
      const check = waiting.current;
      waiting.current = undefined;
      const host = window.netpolHost;
      if (!file || !check || !host) return;
      const sent: Result<void> = await host.uploadCapture(file, () => undefined, new AbortController().signal);
      if (sent.ok) check();
      else onError(sent.error);
    },
  };
}
