import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCapture } from '../../scripts/generate-capture';
import type { ReadProgressEvent } from '../../shared/api/contract';
import { fixture, hubbleFixture, ROOT } from '../../shared/testing/fixtures';
import { CaptureError } from '../../shared/flows/types';
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
    const s = new CaptureService({ samplePath, dialogs: { chooseCaptureFile: () => Promise.resolve(answer) } });
    await expect(s.openCapture()).resolves.toMatchObject({ sample: false, summary: { records: 10 } });
    answer = undefined;
    await expect(s.openCapture()).rejects.toMatchObject({ code: 'dismissed', message: 'No file was chosen.' });
  });

  it('a file that is not a capture gives an error and keeps the capture that was open', async () => {
    let answer = hubbleFixture('basic-sample-10-flows.json');
    const s = new CaptureService({ samplePath, dialogs: { chooseCaptureFile: () => Promise.resolve(answer) } });
    await s.openCapture();
    answer = fixture('SOURCES.md');
    const e: unknown = await s.openCapture().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CaptureError);
    expect(apiError(e)).toMatchObject({ code: 'unusable-input', message: expect.stringContaining('SOURCES.md') as unknown });
    expect(s.summary()).toMatchObject({ summary: { records: 10 } });
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
