import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCapture } from '../../scripts/generate-capture';
import type { ReadProgressEvent } from '../../shared/api/contract';
import { fixture, hubbleFixture, ROOT } from '../../shared/testing/fixtures';
import { CaptureError } from '../../shared/flows/types';
import { parseClusterSnapshot } from '../../shared/cluster/snapshot';
import { CaptureService } from './capture-service';
import { apiError } from './errors';

const samplePath = `${ROOT}/resources/sample-capture.jsonl`;

describe('CaptureService', () => {
  it('loads the built-in sample: bookinfo on kind, with DNS', async () => {
    const s = new CaptureService({ samplePath, dialogs: { chooseCaptureFile: () => Promise.resolve(undefined) } });
    const r = await s.loadSample();
    expect(r.sample).toBe(true);
    expect(r.summary).toMatchObject({ format: 'hubble-jsonpb', records: 1200, badLines: 0 });
    expect(r.summary.namespaces).toEqual(expect.arrayContaining(['bookinfo', 'kube-system']));
    expect(s.summary()).toMatchObject({ sample: true });
  });

  it('opens the file the dialog returns, and reports a dismissed dialog as such', async () => {
    let answer: string | undefined = hubbleFixture('basic-sample-10-flows.json');
    const s = new CaptureService({
      samplePath,
      dialogs: { chooseCaptureFile: () => Promise.resolve(answer === undefined ? undefined : { path: answer }) },
    });
    await expect(s.openCapture()).resolves.toMatchObject({ sample: false, summary: { records: 10 } });
    answer = undefined;
    await expect(s.openCapture()).rejects.toMatchObject({ code: 'dismissed', message: 'No file was chosen.' });
  });

  it('a file that is not a capture gives an error and keeps the capture that was open', async () => {
    let answer = hubbleFixture('basic-sample-10-flows.json');
    const s = new CaptureService({
      samplePath,
      dialogs: { chooseCaptureFile: () => Promise.resolve(answer === undefined ? undefined : { path: answer }) },
    });
    await s.openCapture();
    answer = fixture('SOURCES.md');
    const e: unknown = await s.openCapture().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CaptureError);
    expect(apiError(e)).toMatchObject({ code: 'unusable-input', message: expect.stringContaining('SOURCES.md') as unknown });
    expect(s.summary()).toMatchObject({ summary: { records: 10 } });
  });

  it('an upload is named as the user picked it, never by the path the host stored it under: in errors, the summary and the progress', async () => {
    const stored = path.join(mkdtempSync(path.join(tmpdir(), 'netpol-upload-')), '000-1-abc', 'not_a_capture.md');
    mkdirSync(path.dirname(stored));
    copyFileSync(fixture('SOURCES.md'), stored);
    const events: ReadProgressEvent[] = [];
    let chosen = { path: stored, name: 'not a capture.md' };
    const s = new CaptureService({
      samplePath,
      dialogs: { chooseCaptureFile: () => Promise.resolve(chosen) },
      onProgress: (p) => events.push(p),
    });
    const e = apiError(await s.openCapture().catch((x: unknown) => x));
    expect(e.code).toBe('unusable-input');
    expect(e.message).toMatch(/^not a capture\.md: /);
    expect(e.message).not.toContain(path.dirname(stored));

    const good = path.join(path.dirname(stored), 'team_flows.json');
    copyFileSync(hubbleFixture('basic-sample-10-flows.json'), good);
    chosen = { path: good, name: 'team flows.json' };
    await expect(s.openCapture()).resolves.toMatchObject({ summary: { file: 'team flows.json', records: 10 } });
    expect(events.map((p) => p.file)).toContain('team flows.json');
    expect(events.some((p) => p.file.includes(path.dirname(stored)))).toBe(false);
    // Read again (with a cluster snapshot): still the picked name.
    await expect(
      s.resolveWith(parseClusterSnapshot([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }], 'test')),
    ).resolves.toMatchObject({
      summary: { file: 'team flows.json' },
    });
  });

  it('reports read progress, and a cancelled read keeps the capture that was open', async () => {
    // 20,000 lines (about 30 MB): read by worker threads, with progress along the way.
    const big = path.join(mkdtempSync(path.join(tmpdir(), 'netpol-read-')), 'big.jsonl');
    await writeCapture(big, { lines: 20_000, workloads: 200, edges: 600 });
    let answer = hubbleFixture('basic-sample-10-flows.json');
    const events: ReadProgressEvent[] = [];
    let cancelAtFirstProgress = false;
    const s: CaptureService = new CaptureService({
      samplePath,
      dialogs: { chooseCaptureFile: () => Promise.resolve(answer === undefined ? undefined : { path: answer }) },
      onProgress: (p) => {
        events.push(p);
        // The user presses Cancel while the bar moves.
        if (cancelAtFirstProgress && p.bytesDone < p.bytesTotal) s.cancel();
      },
    });
    await s.openCapture();
    answer = big;
    events.length = 0;
    const whole = await s.openCapture();
    expect(whole).toMatchObject({ summary: { records: 20_000 } });
    expect(events.at(-1)).toMatchObject({ file: big, bytesDone: events.at(-1)!.bytesTotal });
    expect(events.every((e, i) => i === 0 || e.bytesDone >= events[i - 1].bytesDone)).toBe(true);

    answer = hubbleFixture('basic-sample-10-flows.json');
    await s.openCapture();
    answer = big;
    events.length = 0;
    cancelAtFirstProgress = true;
    const r = await s.openCapture().catch((x: unknown) => x);
    expect(events.length).toBeGreaterThan(0);
    expect(r).toMatchObject({
      code: 'cancelled',
      message: expect.stringMatching(/^Reading .*big\.jsonl was cancelled; the capture open before stays open\.$/) as unknown,
    });
    expect(s.summary()).toMatchObject({ summary: { records: 10 } });
  });
});
