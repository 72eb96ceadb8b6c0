// Paths of the copied real captures (see fixtures/SOURCES.md). Tests only; never imported by app code.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixture = (...p: string[]): string => path.join(ROOT, 'fixtures', ...p);
export const hubbleFixture = (name: string): string => fixture('hubble', 'cilium-hubble-otel', name);
export const readFixture = (...p: string[]): string => readFileSync(fixture(...p), 'utf8');
