import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotError } from '../../cluster';
import { fixture } from '../../testing/fixtures';
import { readClusterSnapshot } from './read-snapshot';

const dir = mkdtempSync(path.join(tmpdir(), 'netpol-snapshot-'));
const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};
const F04 = fixture('field', 'F04-snapshot.json');
const F16 = fixture('field', 'F16-snapshot.json');

// `kubectl get svc,pods -o yaml` for one Service, then a pod in a document of its own and an empty document.
const MULTI_DOC = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata:
    name: beta
    namespace: default
  spec:
    clusterIP: 10.96.14.2
    ports:
    - name: http
      port: 80
      protocol: TCP
      targetPort: http-api
    selector:
      app: beta
---
apiVersion: v1
kind: Pod
metadata:
  name: gamma
  namespace: default
  labels: {app: gamma}
status:
  podIP: 10.244.0.13
---
`;

async function failure(files: readonly string[]): Promise<SnapshotError> {
  const error = await readClusterSnapshot(files).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SnapshotError)) throw new Error(`expected a SnapshotError, got ${String(error)}`);
  return error;
}

describe('readClusterSnapshot', () => {
  it('reads kubectl -o json output', async () => {
    const snap = await readClusterSnapshot([F04]);
    expect(snap.source).toBe(F04);
    expect(snap.pods.map((p) => p.name)).toEqual(['elasticsearch-master-0', 'elasticsearch-master-1', 'kibana-6c8d9f7b5-x2x2x']);
    expect(snap.services.map((s) => s.name)).toEqual(['elasticsearch-master']);
  });

  it('reads a multi-document YAML file together with a JSON one', async () => {
    const yaml = write('more.yaml', MULTI_DOC);
    const snap = await readClusterSnapshot([F16, yaml]);
    expect(snap.source).toBe(`${F16}, ${yaml}`);
    expect(snap.podByIp('10.244.0.13')?.labels).toEqual({ app: 'gamma' });
    const front = snap.serviceByFrontend('10.96.14.2', 80, 'TCP');
    expect(front && snap.backends(front.service, front.port)).toEqual([
      { kind: 'pod', pod: snap.pod('default', 'beta-5f6d7c8b9-x7k2p'), port: 8000 },
    ]);
  });

  it.each([
    ['broken.json', '{\n  "kind": "List",\n  "items": [\n    {"kind": "Pod",}\n  ]\n}\n', 'line 4: not valid JSON'],
    ['cut.json', '{\n  "kind": "List",\n  "items": [\n', 'line 4: not valid JSON'],
    [
      'broken.yaml',
      'kind: Pod\nmetadata:\n  name: a\n   namespace: b\n',
      'line 3: not valid YAML (Nested mappings are not allowed in compact mappings)',
    ],
    ['unclosed.yml', 'kind: List\nitems:\n- kind: Pod\n  metadata: [a\n', 'line 5: not valid YAML'],
  ])('names the file and line of a syntax error in %s', async (name, text, words) => {
    const file = write(name, text);
    const error = await failure([F04, file]);
    expect(error.code).toBe('syntax');
    expect(error.message.startsWith(`${file}: ${words}`)).toBe(true);
    expect(error.message).toContain('kubectl get svc,endpointslices,pods,namespaces -A -o json > snapshot.json');
  });

  it('says a missing file cannot be read', async () => {
    const file = path.join(dir, 'nowhere.json');
    const error = await failure([file]);
    expect(error).toMatchObject({ code: 'unreadable', message: `${file}: cannot be read (ENOENT). Check the path.` });
  });

  it('says a folder is not a snapshot file', async () => {
    expect((await failure([dir])).message).toBe(`${dir}: is a folder, not a snapshot file. Pass the file.`);
  });

  it.each([
    ['policies.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n'],
    ['empty.json', ''],
  ])('refuses %s, which holds nothing a snapshot is made of', async (name, text) => {
    const file = write(name, text);
    const error = await failure([file]);
    expect(error.code).toBe('no-cluster-objects');
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.\\]/g, '\\$&')}: holds no Pod.*-o json > snapshot\\.json`));
  });

  it('refuses no files at all', async () => {
    expect((await failure([])).code).toBe('no-files');
  });
});
