import type { NetpolApi } from '../../shared/api/contract';

declare global {
  interface Window {
    /** Exposed by the preload (Electron) or the browser host's bridge. */
    readonly netpol: NetpolApi;
  }
}

export {};
