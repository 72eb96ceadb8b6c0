import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../shared/testing/fixtures';

/** electron-builder's own schema of its configuration, as installed (app-builder-lib/scheme.json). */
const scheme = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as {
  properties: Record<string, unknown>;
  definitions: { FuseOptionsV1: { properties: Record<string, unknown>; additionalProperties?: boolean } };
};
const config = parse(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as { electronFuses?: Record<string, unknown> };

describe('packaging: Electron fuses', () => {
  it('turns off running as Node, NODE_OPTIONS and --inspect; turns on cookie encryption, asar integrity and asar-only loading', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it("uses electron-builder's documented keys (a misspelt fuse would be ignored, not refused)", () => {
    expect(Object.keys(scheme.properties)).toContain('electronFuses');
    const known = Object.keys(scheme.definitions.FuseOptionsV1.properties);
    for (const key of Object.keys(config.electronFuses ?? {})) expect(known).toContain(key);
  });
});
