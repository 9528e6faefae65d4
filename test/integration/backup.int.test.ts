import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/core/access/index.js';
import { verifyAuditLog } from '../../src/core/audit.js';
import { sha256 } from '../../src/core/ids.js';
import { createBackup } from '../../src/backup/backup.js';
import { restoreBackup } from '../../src/backup/restore.js';
import { connect } from '../../src/db/connect.js';
import { createToken } from '../../src/domains/auth/tokens.js';
import { relateOrgs } from '../../src/domains/tenancy/orgs.js';
import { updateMemberRoles } from '../../src/domains/tenancy/members.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { RestoreTargets } from '../helpers/restore-targets.js';
import { actingAs, buildOrg, buildUser } from '../helpers/factories.js';
import { snapshotDatabase } from '../helpers/snapshot.js';

describe(`backup and restore (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let dir: string;
  const targets = new RestoreTargets(() => dir);

  beforeAll(async () => {
    t = await testApp();
    dir = await mkdtemp(join(tmpdir(), 'muhafiz-backup-test-'));
  });
  afterAll(async () => {
    await t.close();
    await targets.dropAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('a round trip loses nothing: every row of every table, the files, the secret key, and the audit chain', async () => {
    // Orgs, users, memberships, a relation, a token, role changes: each leaves audit records.
    const regulator = await buildOrg(t.rt, 'regulator');
    const bank = await buildOrg(t.rt, 'regulated_entity');
    const admin = await buildUser(t.rt, bank.id, ['org_admin']);
    const manager = await buildUser(t.rt, bank.id, ['isms_manager']);
    const platform = systemActor(t.rt.bootstrap.platformOrgId, 'platform', 'test');
    await relateOrgs({ db: t.rt.db, clock: t.clock, actor: platform, requestId: 'r1', ip: null }, regulator.id, 'supervises', bank.id);
    const adminCtx = actingAs(t.rt, admin, bank, ['org_admin']);
    await updateMemberRoles(adminCtx, manager.id, ['isms_manager', 'risk_owner']);
    await createToken(adminCtx, { name: 'siem', role: 'org_admin', expiresInDays: 30 });

    const source = join(dir, 'source');
    const blob = Buffer.from('evidence: signed policy v3\n');
    const digest = sha256(blob);
    await mkdir(join(source, 'files', digest.slice(0, 2)), { recursive: true });
    await writeFile(join(source, 'files', digest.slice(0, 2), digest), blob);
    await writeFile(join(source, 'secret.key'), 'c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0xMjM0NTY=');

    expect((await verifyAuditLog(t.rt.db)).problem).toBeUndefined();
    const before = await snapshotDatabase(t.rt.db);
    expect(before.audit_log!.length).toBeGreaterThan(5);
    const file = join(dir, 'roundtrip.tar.gz');
    const manifest = await createBackup(t.rt.db, { file, dataDir: source, includeSecretKey: true, clock: t.clock });
    expect(manifest.driver).toBe(TEST_DRIVER);
    expect(manifest.files).toEqual({ count: 1, bytes: blob.length });
    expect(manifest.tables.audit_log).toBe(before.audit_log!.length);
    // Backing up changed nothing.
    expect(await snapshotDatabase(t.rt.db)).toEqual(before);

    const target = await targets.fresh('rt');
    const result = await restoreBackup({ file, ...target });
    expect(result.audit.ok).toBe(true);
    expect(result.audit.records).toBe(before.audit_log!.length);
    expect(result.files).toBe(1);

    const restored = await connect(target.databaseUrl ? { databaseUrl: target.databaseUrl, poolSize: 2 } : { dataDir: target.dataDir });
    try {
      const after = await snapshotDatabase(restored);
      expect(Object.keys(after)).toEqual(Object.keys(before));
      for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
      expect((await verifyAuditLog(restored)).ok).toBe(true);
    } finally {
      await restored.close();
    }
    expect(await readFile(join(target.dataDir, 'files', digest.slice(0, 2), digest))).toEqual(blob);
    expect(await readFile(join(target.dataDir, 'secret.key'), 'utf8')).toBe('c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0xMjM0NTY=');
  });

  it('refuses a non-empty target unless told, and then keeps what it replaces', async () => {
    const source = join(dir, 'source2');
    const file = join(dir, 'second.tar.gz');
    await createBackup(t.rt.db, { file, dataDir: source, includeSecretKey: false, clock: t.clock });
    const target = await targets.fresh('again');
    await restoreBackup({ file, ...target });
    if (TEST_DRIVER === 'pglite') {
      await expect(restoreBackup({ file, ...target })).rejects.toThrow(/not empty.*--force/);
      const r = await restoreBackup({ file, ...target, force: true });
      expect(r.movedAside).toHaveLength(1);
      expect(existsSync(join(r.movedAside[0]!, 'PG_VERSION'))).toBe(true);
    } else {
      await expect(restoreBackup({ file, ...target })).rejects.toThrow(/not empty.*--clean/);
      const r = await restoreBackup({ file, ...target, clean: true });
      expect(r.audit.ok).toBe(true);
    }
    // No staging folders are left behind.
    expect((await readdir(dir)).filter((n) => n.includes('.restoring-'))).toEqual([]);
  });

  it('refuses a file that is not a backup, and a backup of the other driver', async () => {
    const junk = join(dir, 'junk.tar.gz');
    await writeFile(junk, 'not a tarball');
    await expect(restoreBackup({ file: junk, ...(await targets.fresh('junk')) })).rejects.toThrow(/cannot read backup|not a Muhafiz backup/);
    const file = join(dir, 'second.tar.gz');
    const other = TEST_DRIVER === 'pglite' ? { databaseUrl: 'postgres://nobody@127.0.0.1:1/none' } : {};
    await expect(restoreBackup({ file, dataDir: join(dir, 'other'), ...other })).rejects.toThrow(/holds a .* database but the target is/);
  });
});
