// A capture the user picked in the browser, streamed to the host: a browser has no native file
// dialog, so "Open capture…" uploads the file (loopback, token, size-checked) into the host's data
// folder, and main's openCapture then reads it with the same reader, progress and Cancel.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { MAX_UPLOAD_BYTES } from './paths';
/** Uploads kept: the open capture's file, and the ones before it a workspace may still name. */
const KEEP = 3;

/** Why an upload was refused, as an HTTP status and a sentence for the page. */
export class UploadRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The file's own name, safe as one path segment (what the summary and the workspace show). */
export function uploadName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const safe = base
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 120);
  return safe || 'capture';
}

/** A received upload: where the host stored it, and the name the user picked it by. */
export interface Upload {
  readonly path: string;
  readonly name: string;
}

/** Where uploads land, and the one the next "Open capture…" reads (taken once). */
export interface UploadInbox {
  /** Streams a request's body to a fresh folder of its own, refusing what is larger than said or allowed. */
  receive(req: IncomingMessage, name: string): Promise<string>;
  /** The upload waiting to be opened, if any; taken once. */
  take(): Upload | undefined;
}

/** The picked file's own name as the user sees it (no folders, no control characters), for messages. */
export function pickedName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (raw.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255);
  return base || 'capture';
}

export function uploadInbox(dir: string, maxBytes = MAX_UPLOAD_BYTES): UploadInbox {
  let waiting: Upload | undefined;
  let received = 0;
  return {
    take() {
      const f = waiting;
      waiting = undefined;
      return f;
    },
    async receive(req, name) {
      const declared = Number(req.headers['content-length']);
      if (!Number.isSafeInteger(declared) || declared < 0) throw new UploadRefused(411, 'Send the file with its length.');
      if (declared > maxBytes)
        throw new UploadRefused(413, `The file is larger than the ${Math.round(maxBytes / 1024 ** 3)} GiB the browser host takes.`);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // Named so that names sort as the uploads came: time, then the order within this process.
      const folder = path.join(
        dir,
        `${String(Date.now()).padStart(15, '0')}-${String(received++).padStart(6, '0')}-${randomBytes(6).toString('hex')}`,
      );
      await mkdir(folder, { mode: 0o700 });
      const file = path.join(folder, uploadName(name));
      let seen = 0;
      // Counted as it streams: a body longer than its declared length is cut off, not stored.
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          seen += chunk.length;
          done(seen > declared ? new UploadRefused(413, 'The file is longer than its declared length.') : null, chunk);
        },
      });
      try {
        await pipeline(req, count, createWriteStream(file, { mode: 0o600, flags: 'wx' }));
        if (seen !== declared) throw new UploadRefused(400, 'The upload stopped before the whole file arrived.');
      } catch (e) {
        await rm(folder, { recursive: true, force: true });
        throw e instanceof UploadRefused ? e : new UploadRefused(400, `The upload failed: ${(e as Error).message}`);
      }
      waiting = { path: file, name: pickedName(name) };
      await prune(dir, folder);
      return file;
    },
  };
}

/** Removes all but the newest uploads (the one just received always stays). */
async function prune(dir: string, newest: string): Promise<void> {
  const old = (await readdir(dir))
    .map((f) => path.join(dir, f))
    .filter((f) => f !== newest)
    .sort()
    .reverse()
    .slice(KEEP - 1);
  await Promise.all(old.map((f) => rm(f, { recursive: true, force: true })));
}
