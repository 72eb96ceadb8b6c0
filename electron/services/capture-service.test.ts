import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCapture } from '../../scripts/generate-capture';
import type { ReadProgressEvent } from '../../shared/api/contract';
import { fixture, hubbleFixture, ROOT } from '../../shared/testing/fixtures';
import { CaptureService } from './capture-service';

const samplePath = `${ROOT}/resources/sample-capture.jsonl`;

describe('CaptureService', () => {
  it('loads the built-in sample: bookinfo on kind, with DNS', async () => {
    const s = new CaptureService({ samplePath, dialogs: { chooseCaptureFile: () => Promise.resolve(undefined) } });
    const r = await s.loadSample();
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.sample).toBe(true);
    expect(r.value.summary).toMatchObject({ format: 'hubble-jsonpb', records: 1200, badLines: 0 });
    expect(r.value.summary.namespaces).toEqual(expect.arrayContaining(['bookinfo', 'kube-system']));
    await expect(s.getSummary()).resolves.toMatchObject({ ok: true, value: { sample: true } });
  });

  it('opens the file the dialog returns, and reports a cancelled dialog as such', async () => {
    let answer: string | undefined = hubbleFixture('basic-sample-10-flows.json');
    const s = new CaptureService({ samplePath, dialogs: { chooseCaptureFile: () => Promise.resolve(answer) } });
    await expect(s.openCapture()).resolves.toMatchObject({ ok: true, value: { sample: false, summary: { records: 10 } } });
    answer = undefined;
    await expect(s.openCapture()).resolves.toMatchObject({ ok: false, error: { code: 'cancelled' } });
  });

  it('a file that is not a capture gives an error and keeps the capture that was open', async () => {
    let answer = hubbleFixture('basic-sample-10-flows.json');
    const s = new CaptureService({ samplePath, dialogs: { chooseCaptureFile: () => Promise.resolve(answer) } });
    await s.openCapture();
    answer = fixture('SOURCES.md');
    const r = await s.openCapture();
    expect(r).toMatchObject({ ok: false, error: { code: 'unusable-input', message: expect.stringContaining('SOURCES.md') as unknown } });
    await expect(s.getSummary()).resolves.toMatchObject({ ok: true, value: { summary: { records: 10 } } });
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
      dialogs: { chooseCaptureFile: () => Promise.resolve(answer) },
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
    expect(whole).toMatchObject({ ok: true, value: { summary: { records: 20_000 } } });
    expect(events.at(-1)).toMatchObject({ file: big, bytesDone: events.at(-1)!.bytesTotal });
    expect(events.every((e, i) => i === 0 || e.bytesDone >= events[i - 1].bytesDone)).toBe(true);

    answer = hubbleFixture('basic-sample-10-flows.json');
    await s.openCapture();
    answer = big;
    events.length = 0;
    cancelAtFirstProgress = true;
    const r = await s.openCapture();
    expect(events.length).toBeGreaterThan(0);
    expect(r).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    if (!r.ok) expect(r.error.message).toMatch(/^Reading .*big\.jsonl was cancelled; the capture open before stays open\.$/);
    await expect(s.getSummary()).resolves.toMatchObject({ ok: true, value: { summary: { records: 10 } } });
  });
});
