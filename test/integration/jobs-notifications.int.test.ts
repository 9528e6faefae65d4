import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MINUTE } from '../../src/core/clock.js';
import { inTx } from '../../src/core/context.js';
import { notify } from '../../src/core/notify.js';
import { JobQueue } from '../../src/core/jobs.js';
import { Mailer } from '../../src/core/mail.js';
import { connect, type Database } from '../../src/db/connect.js';
import { openRuntime } from '../../src/server/runtime.js';
import { Client, expectProblem, testApp, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { upsertMembership } from '../../src/domains/tenancy/members.js';
import { asPlatform } from '../../src/domains/tenancy/users.js';

describe(`jobs and notifications (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let bank: BuiltOrg;
  let broker: BuiltOrg;
  let admin: BuiltUser;
  beforeAll(async () => {
    t = await testApp();
    bank = await buildOrg(t.rt);
    broker = await buildOrg(t.rt);
    admin = await buildUser(t.rt, bank.id, ['org_admin']);
  });
  afterAll(async () => t.close());

  async function job(id: string, db: Database = t.rt.db) {
    return db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      return tx.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    });
  }
  async function jobsNamed(name: string) {
    return t.rt.db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      return tx.selectFrom('jobs').selectAll().where('name', '=', name).orderBy('created_at').execute();
    });
  }
  const ctx = () => actingAs(t.rt, admin, bank, ['org_admin']);

  it('enqueues with the write: a rolled-back transaction leaves no job', async () => {
    await expect(
      inTx(ctx(), async (tx) => {
        await t.rt.jobs.enqueue(tx, { name: 'test.rollback', orgId: bank.id });
        throw new Error('the write failed');
      }),
    ).rejects.toThrow('the write failed');
    expect(await jobsNamed('test.rollback')).toHaveLength(0);
    const id = await inTx(ctx(), (tx) => t.rt.jobs.enqueue(tx, { name: 'test.rollback', orgId: bank.id }));
    expect((await job(id))?.status).toBe('queued');
  });

  it('retries a failing job with exponential backoff, then marks it failed', async () => {
    let calls = 0;
    t.rt.jobs.register('test.flaky', async () => {
      calls += 1;
      throw new Error(`upstream down (${calls})`);
    });
    const id = await inTx(ctx(), (tx) => t.rt.jobs.enqueue(tx, { name: 'test.flaky', maxAttempts: 3 }));
    await t.rt.jobs.runDue();
    let j = (await job(id))!;
    expect(j).toMatchObject({ status: 'queued', attempts: 1, last_error: 'upstream down (1)' });
    expect(j.run_at.getTime() - t.clock.now().getTime()).toBe(30_000);
    await t.rt.jobs.runDue();
    t.clock.advance(29_000);
    await t.rt.jobs.runDue();
    expect(calls).toBe(1);
    t.clock.advance(1_000);
    await t.rt.jobs.runDue();
    j = (await job(id))!;
    expect(j).toMatchObject({ status: 'queued', attempts: 2 });
    expect(j.run_at.getTime() - t.clock.now().getTime()).toBe(60_000);
    t.clock.advance(60_000);
    await t.rt.jobs.runDue();
    j = (await job(id))!;
    expect(j).toMatchObject({ status: 'failed', attempts: 3, last_error: 'upstream down (3)' });
    expect(j.finished_at?.toISOString()).toBe(t.clock.now().toISOString());
    t.clock.advance(60 * MINUTE);
    await t.rt.jobs.runDue();
    expect(calls).toBe(3);
  });

  it('dedupes by singleton key while one is pending', async () => {
    const runs: string[] = [];
    t.rt.jobs.register('test.single', async (j) => {
      runs.push(j.id);
    });
    const a = await inTx(ctx(), (tx) => t.rt.jobs.enqueue(tx, { name: 'test.single', singletonKey: 'reminder:42' }));
    const b = await inTx(ctx(), (tx) => t.rt.jobs.enqueue(tx, { name: 'test.single', singletonKey: 'reminder:42' }));
    expect(b).toBe(a);
    expect(await jobsNamed('test.single')).toHaveLength(1);
    await t.rt.jobs.runDue();
    expect(runs).toEqual([a]);
    const c = await inTx(ctx(), (tx) => t.rt.jobs.enqueue(tx, { name: 'test.single', singletonKey: 'reminder:42' }));
    expect(c).not.toBe(a);
    await t.rt.jobs.runDue();
    expect(runs).toEqual([a, c]);
  });

  it('fires schedules by the clock, once per interval, without piling up', async () => {
    let ticks = 0;
    t.rt.jobs.register('test.tick', async () => {
      ticks += 1;
      return { ticks };
    });
    await t.rt.jobs.schedule('test.tick', 600);
    await t.rt.jobs.runDue();
    expect(ticks).toBe(1);
    await t.rt.jobs.runDue();
    t.clock.advance(599_000);
    await t.rt.jobs.runDue();
    expect(ticks).toBe(1);
    t.clock.advance(1_000);
    await t.rt.jobs.runDue();
    expect(ticks).toBe(2);
    // A node that was down for an hour runs it once, not six times.
    t.clock.advance(60 * MINUTE);
    await t.rt.jobs.runDue();
    await t.rt.jobs.runDue();
    expect(ticks).toBe(3);
    const done = (await jobsNamed('test.tick')).filter((j) => j.status === 'done');
    expect(done.map((j) => j.result)).toEqual([{ ticks: 1 }, { ticks: 2 }, { ticks: 3 }]);
  });

  it('recovers a job whose worker died once its lock expires', async () => {
    const ran: number[] = [];
    t.rt.jobs.register('test.orphan', async (j) => {
      ran.push(j.attempts);
    });
    const id = await inTx(ctx(), (tx) => t.rt.jobs.enqueue(tx, { name: 'test.orphan' }));
    // A worker on another node claimed it and vanished.
    await t.rt.db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      await tx.updateTable('jobs').set({ status: 'running', attempts: 1, locked_by: 'dead-node:1', locked_until: new Date(t.clock.now().getTime() + 5 * MINUTE), started_at: t.clock.now() }).where('id', '=', id).execute();
    });
    await t.rt.jobs.runDue();
    expect(ran).toEqual([]);
    t.clock.advance(5 * MINUTE + 1000);
    await t.rt.jobs.runDue();
    expect(ran).toEqual([2]);
    expect((await job(id))!).toMatchObject({ status: 'done', locked_by: null });
  });

  it('a queued job survives a restart and runs on the next runtime', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'muhafiz-restart-'));
    // PGlite: a data dir on disk, seeded from the migrated template on first open.
    let first = true;
    const open = async (): Promise<Database> =>
      TEST_DRIVER === 'postgres'
        ? connect({ databaseUrl: t.rt.db.url!, poolSize: 2 })
        : connect({ dataDir: join(dir, 'pg'), ...(first ? { loadDataDir: new Blob([await readFile(inject('pgliteTemplate'))]) } : {}) });
    const config = { ...t.rt.config, dataDir: dir };
    try {
      const one = await openRuntime(config, { clock: t.clock, db: await open(), log: t.rt.log, createAdmin: false });
      first = false;
      const id = await one.db.kysely.transaction().execute(async (tx) => {
        await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
        return one.jobs.enqueue(tx, { name: 'test.restart', payload: { n: 7 } });
      });
      await one.close();

      const two = await openRuntime(config, { clock: t.clock, db: await open(), log: t.rt.log, createAdmin: false });
      try {
        const seen: unknown[] = [];
        two.jobs.register('test.restart', async (j) => {
          seen.push(j.payload);
        });
        expect(await two.jobs.runDue()).toBeGreaterThanOrEqual(1);
        expect(seen).toEqual([{ n: 7 }]);
        expect((await job(id, two.db))?.status).toBe('done');
      } finally {
        await two.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('records a failed mail delivery on the message and retries it', async () => {
    // A queue and mailer of their own, pointed at a port where no SMTP server listens.
    const queue = new JobQueue(t.rt.db, t.clock);
    const mailer = new Mailer(queue, t.rt.db, 'smtp://127.0.0.1:1', 'Muhafiz <no-reply@muhafiz.test>');
    const id = await inTx(ctx(), (tx) => mailer.send(tx, { orgId: bank.id, to: 'someone@example.test', subject: 'Deadline', text: 'Soon' }));
    const outbox = async () =>
      t.rt.db.kysely.transaction().execute(async (tx) => {
        await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
        return tx.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      });
    expect((await outbox()).status).toBe('queued');
    expect(await queue.runDue()).toBe(1);
    const failed = await outbox();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/ECONNREFUSED|connect/);
    const [mailJob] = (await jobsNamed('mail.send')).filter((j) => (j.payload as { id: string }).id === id);
    expect(mailJob).toMatchObject({ status: 'queued', attempts: 1, max_attempts: 8 });
    expect(mailJob!.last_error).toContain(`mail ${id} not delivered`);
  });

  it('queues a batch of mails with one delivery job each', async () => {
    const queue = new JobQueue(t.rt.db, t.clock);
    const mailer = new Mailer(queue, t.rt.db, 'smtp://127.0.0.1:1', 'Muhafiz <no-reply@muhafiz.test>');
    const to = ['a@example.test', 'b@example.test', 'c@example.test'];
    await inTx(ctx(), (tx) => mailer.sendMany(tx, to.map((address) => ({ orgId: bank.id, to: address, subject: 'Batch', text: 'Hello' }))));
    const mails = await t.rt.db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      return tx.selectFrom('mail_outbox').select(['id', 'to_address', 'status']).where('subject', '=', 'Batch').execute();
    });
    expect(mails.map((m) => m.to_address).sort()).toEqual(to);
    expect(mails.every((m) => m.status === 'queued')).toBe(true);
    const jobs = (await jobsNamed('mail.send')).filter((j) => mails.some((m) => m.id === (j.payload as { id: string }).id));
    expect(jobs).toHaveLength(3);
    for (const j of jobs) expect(j).toMatchObject({ status: 'queued', org_id: bank.id, max_attempts: 8 });
  });

  it("shows a job's progress to its org only", async () => {
    let release!: () => void;
    let reported!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const progressed = new Promise<void>((r) => (reported = r));
    t.rt.jobs.register('test.import', async (_j, ctl) => {
      // Four minutes into a long import, progress renews the five-minute lock.
      t.clock.advance(4 * MINUTE);
      await ctl.progress({ done: 1, total: 2 });
      reported();
      await gate;
      await ctl.progress({ done: 2, total: 2 });
      return { imported: 2 };
    });
    const id = await inTx(ctx(), (tx) => t.rt.jobs.enqueue(tx, { name: 'test.import', orgId: bank.id }));
    const c = new Client(t.app);
    await c.login(admin.email, admin.password);
    const running = t.rt.jobs.runDue();
    await progressed;
    const mid = (await c.get(`/api/jobs/${id}`)).json();
    expect(mid).toMatchObject({ status: 'running', progress: { done: 1, total: 2 }, attempts: 1 });
    expect((await job(id))!.locked_until!.getTime()).toBe(t.clock.now().getTime() + 5 * MINUTE);
    release();
    await running;
    const end = (await c.get(`/api/jobs/${id}`)).json();
    expect(end).toMatchObject({ status: 'done', progress: { done: 2, total: 2 }, result: { imported: 2 } });
    expect(end.finishedAt).toBe(t.clock.now().toISOString());

    const outsider = await buildUser(t.rt, broker.id, ['org_admin']);
    const o = new Client(t.app);
    await o.login(outsider.email, outsider.password);
    expectProblem(await o.get(`/api/jobs/${id}`), 404, 'JOB_NOT_FOUND');
    const staff = await buildUser(t.rt, bank.id, ['staff']);
    const s = new Client(t.app);
    await s.login(staff.email, staff.password);
    expectProblem(await s.get(`/api/jobs/${id}`), 403, 'FORBIDDEN');
  });

  it('notifies recipients in one org; each sees only their own, there', async () => {
    const alice = await buildUser(t.rt, bank.id, ['staff']);
    const bob = await buildUser(t.rt, bank.id, ['staff']);
    await asPlatform(t.rt, 'test', (tx, c) => upsertMembership(tx, c, broker.id, alice.id, ['viewer']));
    await inTx(ctx(), (tx) => notify(tx, ctx(), t.rt.mailer, { orgId: bank.id, userIds: [alice.id, bob.id], kind: 'task.assigned', title: 'Review the access policy', body: 'Due Friday', link: '/documents/1', email: true }));
    await inTx(ctx(), (tx) => notify(tx, ctx(), t.rt.mailer, { orgId: bank.id, userIds: [alice.id], kind: 'task.assigned', title: 'Second task' }));
    const brokerCtx = actingAs(t.rt, alice, broker, ['viewer']);
    await inTx(brokerCtx, (tx) => notify(tx, brokerCtx, undefined, { orgId: broker.id, userIds: [alice.id], kind: 'advisory', title: 'Broker notice' }));
    // Another org cannot drop notifications into this one.
    await expect(inTx(brokerCtx, (tx) => notify(tx, brokerCtx, undefined, { orgId: bank.id, userIds: [bob.id], kind: 'x', title: 'forged' }))).rejects.toThrow(/row-level security/);

    const a = new Client(t.app);
    await a.login(alice.email, alice.password);
    const acting = (await a.get('/api/auth/session')).json().org.id;
    if (acting !== bank.id) await a.post('/api/auth/switch-org', { orgId: bank.id });
    const list = (await a.get('/api/notifications')).json();
    expect(list.unread).toBe(2);
    expect(list.items.map((n: { title: string }) => n.title).sort()).toEqual(['Review the access policy', 'Second task']);
    expect(list.items.find((n: { title: string }) => n.title === 'Review the access policy')).toMatchObject({ body: 'Due Friday', link: '/documents/1', readAt: null });

    const b = new Client(t.app);
    await b.login(bob.email, bob.password);
    const bobs = (await b.get('/api/notifications')).json();
    expect(bobs.items.map((n: { title: string }) => n.title)).toEqual(['Review the access policy']);
    // Bob cannot mark Alice's read.
    const alicesFirst = list.items[0].id as string;
    expect((await b.post('/api/notifications/read', { ids: [alicesFirst] })).json().updated).toBe(0);
    expect((await a.post('/api/notifications/read', { ids: [alicesFirst] })).json().updated).toBe(1);
    const after = (await a.get('/api/notifications?unread=true')).json();
    expect(after.unread).toBe(1);
    expect(after.items).toHaveLength(1);
    expect((await a.post('/api/notifications/read', {})).json().updated).toBe(1);
    expect((await a.get('/api/notifications')).json()).toMatchObject({ unread: 0, total: 2 });

    // The broker notice shows only while acting in the broker.
    await a.post('/api/auth/switch-org', { orgId: broker.id });
    const inBroker = (await a.get('/api/notifications')).json();
    expect(inBroker.items.map((n: { title: string }) => n.title)).toEqual(['Broker notice']);

    const outbox = (await (async () => {
      const c = new Client(t.app);
      await c.login(admin.email, admin.password);
      return (await c.get('/api/outbox')).json().items as Array<{ to: string; subject: string; body: string }>;
    })()).filter((m) => m.subject === 'Review the access policy');
    expect(outbox.map((m) => m.to).sort()).toEqual([alice.email, bob.email].sort());
    expect(outbox[0]!.body).toContain('Open: /documents/1');
  });
});
