import type { BrowserHostApi } from '../../shared/api/browser-host';
import type { NetpolApi } from '../../shared/api/contract';

declare global {
  interface Window {
    /** Exposed by the preload (Electron) or the browser host's bridge. */
    readonly netpol: NetpolApi;
    /** Only in the browser host: the file picker a browser has instead of main's dialog. */
    readonly netpolHost?: BrowserHostApi;
  }
}

export {};
