/** Where the browser host serves its bridge: shared by the server and the bridge it serves. */
export const API_PREFIX = '/__netpol/api/';
export const EVENTS_PATH = '/__netpol/events';
export const BRIDGE_PATH = '/__netpol/bridge.js';
/** The header that carries the page's token on every API request. */
export const TOKEN_HEADER = 'x-netpol-token';
