import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTx } from '../../src/core/context.js';
import type { DiskFileStore} from '../../src/core/files.js';
import { recordUpload } from '../../src/core/files.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { cliRunner, type CliRunner } from '../helpers/cli.js';
import { actingAs, buildOrg, buildUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

/** `muhafiz files check` against a store of its own: lost, corrupt and unrecorded content, and removal after the grace period. */
describe(`muhafiz files check (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let dir: string;
  let store: DiskFileStore;
  let cli: CliRunner;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'muhafiz-files-check-'));
    t = await testApp({ dataDir: dir });
    store = t.rt.files as DiskFileStore;
    cli = cliRunner(t.rt);
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => cli.run(...args);
  const age = async (sha256: string, hours: number) => {
    const then = new Date(Date.now() - hours * 3600 * 1000);
    await utimes(store.pathOf(sha256), then, then);
  };

  it('reports lost, corrupt and unrecorded content, and removes only old unrecorded content', async () => {
    // Two orgs record uploads (RLS keeps each to its own; the check reads all of them).
    const recorded: string[] = [];
    for (const kind of ['regulated_entity', 'cert'] as const) {
      const org = await buildOrg(t.rt, kind);
      const user = await buildUser(t.rt, org.id, ['org_admin']);
      const stored = await store.put(Buffer.from(`evidence of ${org.id}`));
      await inTx(actingAs(t.rt, user, org, ['org_admin']), (tx) => recordUpload(tx, store, { orgId: org.id, stored, filename: 'e.txt', uploadedBy: user.id, now: new Date() }));
      recorded.push(stored.sha256);
    }
    const [kept, lost] = recorded as [string, string];
    const oldOrphan = (await store.put(Buffer.from('an upload whose transaction failed'))).sha256;
    const newOrphan = (await store.put(Buffer.from('an upload still in flight'))).sha256;
    await age(oldOrphan, 48);
    await age(newOrphan, 1);
    await writeFile(join(store.root, '.incoming', 'crashed.part'), 'half an upload');
    await utimes(join(store.root, '.incoming', 'crashed.part'), new Date(Date.now() - 48 * 3600e3), new Date(Date.now() - 48 * 3600e3));

    expect(await run('files', 'check')).toEqual([expect.stringMatching(/^4 stored file\(s\), [\d.]+ KiB; 2 recorded; not re-hashed \(--verify\); 0 missing; 2 unrecorded$/)]);
    expect(process.exitCode).toBeUndefined();

    // Lose one recorded file and tamper with the other.
    await rm(store.pathOf(lost));
    await writeFile(store.pathOf(kept), 'tampered');
    const report = await run('files', 'check', '--verify');
    expect(report).toEqual([
      expect.stringMatching(/^3 stored file\(s\), [\d.]+ KiB; 2 recorded; 1 corrupt; 1 missing; 2 unrecorded$/),
      `missing: ${lost} (1 upload record(s) point at it: restore it from a backup)`,
      `corrupt: ${kept} (its bytes no longer hash to its name: restore it from a backup)`,
    ]);
    expect(process.exitCode).toBe(1);

    // Storing the same bytes again freshens an old orphan, so an upload in flight keeps it.
    await age(newOrphan, 48);
    await store.put(Buffer.from('an upload still in flight'));
    const removal = await run('files', 'check', '--remove-orphans', '--json');
    const r = JSON.parse(removal.join('\n')) as { removed: number; staleIncoming: number; orphans: Array<{ sha256: string }> };
    expect(r).toMatchObject({ removed: 1, staleIncoming: 1 });
    expect(await store.exists(oldOrphan)).toBe(false);
    expect(await store.exists(newOrphan)).toBe(true);
    expect(await store.exists(kept)).toBe(true);
    expect(await readdir(join(store.root, '.incoming'))).toEqual([]);
    await expect(run('files', 'check', '--grace-hours', '-1')).rejects.toThrow(/^--grace-hours: /);
    process.exitCode = undefined;
  });
});
