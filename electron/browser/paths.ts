/** Where the browser host serves its bridge: shared by the server and the bridge it serves. */
export const API_PREFIX = '/__netpol/api/';
export const EVENTS_PATH = '/__netpol/events';
export const BRIDGE_PATH = '/__netpol/bridge.js';
/** The header that carries the page's token on every API request. */
export const TOKEN_HEADER = 'x-netpol-token';
/** Where the page streams a capture the user picked (a browser has no native file dialog). */
export const UPLOAD_PATH = '/__netpol/upload';
/** The largest capture the host takes from the page (the reader streams it; the disk is the limit). */
export const MAX_UPLOAD_BYTES = 8 * 1024 ** 3;
