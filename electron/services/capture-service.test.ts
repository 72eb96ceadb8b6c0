import { describe, expect, it } from 'vitest';
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
});
