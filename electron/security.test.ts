import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../shared/testing/fixtures';
import { applyRestrictions, CONTENT_SECURITY_POLICY, isAppUrl, type GuardedContents, type GuardedSession } from './security';

describe('window security', () => {
  it('has a strict CSP, also in index.html', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*|http:|https:/);
    const html = readFileSync(`${ROOT}/renderer/index.html`, 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    expect(meta).not.toMatch(/unsafe-inline|unsafe-eval|\*|http:|https:/);
    expect(meta).toContain("default-src 'none'");
  });

  it('trusts only the app page', () => {
    expect(isAppUrl('file:///opt/app/out/renderer/index.html', 'file:///opt/app/out/renderer/index.html')).toBe(true);
    expect(isAppUrl('file:///etc/passwd', 'file:///opt/app/out/renderer/index.html')).toBe(false);
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5173.evil.com/', 'http://localhost:5173/')).toBe(false);
    expect(isAppUrl('https://example.com', 'http://localhost:5173/')).toBe(false);
    expect(isAppUrl('not a url', 'http://localhost:5173/')).toBe(false);
  });

  it('denies window.open, navigation away, webviews and permissions, and sets the CSP header', () => {
    const listeners = new Map<string, (e: { preventDefault(): void }, url: string) => void>();
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
    let permission: ((c: unknown, p: string, cb: (g: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    let headers: Parameters<GuardedSession['webRequest']['onHeadersReceived']>[0] | undefined;
    const contents = {
      setWindowOpenHandler: (h: (d: { url: string }) => { action: 'deny' }) => (openHandler = h),
      on: (ev: string, l: (e: { preventDefault(): void }, url: string) => void) => listeners.set(ev, l),
    } as unknown as GuardedContents;
    const session: GuardedSession = {
      setPermissionRequestHandler: (h) => (permission = h),
      setPermissionCheckHandler: (h) => (check = h),
      webRequest: { onHeadersReceived: (l) => (headers = l) },
    };
    const denied: string[] = [];
    applyRestrictions(contents, session, 'file:///app/index.html', (w) => denied.push(w));

    expect(openHandler?.({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
    let prevented = 0;
    const ev = { preventDefault: () => prevented++ };
    listeners.get('will-navigate')?.(ev, 'https://evil.example');
    listeners.get('will-redirect')?.(ev, 'file:///etc/passwd');
    listeners.get('will-navigate')?.(ev, 'file:///app/index.html');
    listeners.get('will-attach-webview')?.(ev, '');
    expect(prevented).toBe(3);
    let granted: boolean | undefined;
    permission?.(null, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(check?.()).toBe(false);
    let response: Record<string, string[] | string> | undefined;
    headers?.({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (response = r.responseHeaders));
    expect(response).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(denied).toHaveLength(5);
  });
});
