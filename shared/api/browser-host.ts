// What the browser host's bridge gives the page besides `window.netpol`: the file picker a browser
// has instead of main's native dialog. The Electron preload gives none, and the page then uses main's.
import type { Result } from './contract';

/** How far a file has gone to the host. */
export interface UploadProgress {
  readonly sent: number;
  readonly total: number;
}

export interface BrowserHostApi {
  /**
   * Streams a capture the user picked to the host (loopback, with the page's token, its size checked
   * there and here); main's openCapture then reads it, with its progress and Cancel. Aborted by
   * `signal`: `cancelled`; larger than the host takes: `unusable-input`.
   */
  uploadCapture(file: File, onProgress: (p: UploadProgress) => void, signal: AbortSignal): Promise<Result<void>>;
}
