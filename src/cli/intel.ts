import { readFile, writeFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Command } from 'commander';
import type { Actor } from '../core/access/index.js';
import type { Ctx } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { OrgKind } from '../db/types.js';
import { bundleObjects, parseBundleText } from '../domains/intel/bundle.js';
import { importObjects, type ImportProgress } from '../domains/intel/imports.js';
import { exportBundle } from '../domains/intel/read.js';
import { TLP_LEVELS, type Tlp } from '../domains/intel/stix-model.js';
import type { Runtime } from '../server/runtime.js';
import type { CliContext } from './context.js';


/** A one-line progress bar on stderr (a TTY redraws it; a pipe gets a line per 10%). */
export function progressBar(label: string): (p: ImportProgress) => void {
  let lastTenth = -1;
  return (p) => {
    const frac = (p.phase === 'validate' ? p.done / 2 : p.total / 2 + p.done / 2) / Math.max(1, p.total);
    const width = 30;
    const filled = Math.round(frac * width);
    const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${p.phase} ${p.done}/${p.total}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
    else if (Math.floor(frac * 10) !== lastTenth) {
      lastTenth = Math.floor(frac * 10);
      process.stderr.write(`${line}\n`);
    }
  };
}

/**
 * The CLI acts in one org. Reads (export) must see exactly what the org may
 * see, so the actor is a person-like one (role muhafiz_app, RLS on), never
 * the system actor, whose role bypasses row-level security.
 */
async function orgCtx(rt: Runtime, shortName: string, label: string): Promise<Ctx> {
  const org = await rt.db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    return tx.selectFrom('orgs').select(['id', 'kind']).where(sql`lower(short_name)`, '=', shortName.toLowerCase()).executeTakeFirst();
  });
  if (!org) throw new Error(`no organisation with the short name ${shortName}`);
  const actor: Actor = { kind: 'user', userId: null, orgId: org.id, orgKind: org.kind as OrgKind, roles: ['org_admin', 'cert_analyst'], platformAdmin: false, label: `cli ${label} (${shortName})` };
  return { db: rt.db, clock: rt.clock, actor, requestId: `cli-${newId()}`, ip: null };
}

/** `muhafiz intel import|export`: the same services as the API. */
export function registerIntelCommands(program: Command, cli: CliContext): void {
  const withRuntime = <T>(fn: (rt: Runtime) => Promise<T>) => cli.withRuntime(fn);
  const intel = program.command('intel').description('threat intelligence: STIX 2.1 bundles');
  intel
    .command('import <file>')
    .description('import a STIX 2.1 bundle, all or nothing, under an organisation (idempotent: re-import changes nothing)')
    .requiredOption('--org <shortName>', 'the organisation that owns the imported objects')
    .option('--tlp <level>', `TLP for objects without a TLP marking (${TLP_LEVELS.join(', ')})`, 'amber')
    .option('--source <name>', 'provenance shown with the objects', 'cli')
    .action((file: string, o: { org: string; tlp: string; source: string }) =>
      withRuntime(async (rt) => {
        if (!(TLP_LEVELS as readonly string[]).includes(o.tlp)) throw new Error(`--tlp must be one of ${TLP_LEVELS.join(', ')}`);
        const started = performance.now();
        const objects = bundleObjects(parseBundleText(await readFile(file, 'utf8')));
        const ctx = await orgCtx(rt, o.org, 'import');
        try {
          const r = await importObjects(ctx, objects, {
            source: o.source,
            sharing: { tlp: o.tlp as Tlp, recipientOrgs: [], recipientUsers: [], sharingGroups: [] },
            onProgress: progressBar('import'),
          });
          if (process.stderr.isTTY) process.stderr.write('\n');
          cli.out(`imported ${r.total} objects in ${((performance.now() - started) / 1000).toFixed(1)} s: ${r.inserted} new versions, ${r.unchanged} unchanged, ${r.observables} observables, ${r.matches} matches`);
        } catch (err) {
          if (process.stderr.isTTY) process.stderr.write('\n');
          if (err instanceof AppError && err.errors?.length) {
            console.error(err.message);
            for (const e of err.errors.slice(0, 20)) console.error(`  ${e.path}: ${e.message}`);
            process.exitCode = 1;
            return;
          }
          throw err;
        }
      }),
    );
  intel
    .command('export <file>')
    .description('export the objects an organisation may see as one STIX 2.1 bundle')
    .requiredOption('--org <shortName>', 'the organisation whose view is exported')
    .option('--type <types>', 'comma-separated STIX types')
    .action((file: string, o: { org: string; type?: string }) =>
      withRuntime(async (rt) => {
        const ctx = await orgCtx(rt, o.org, 'export');
        const r = await exportBundle(ctx, { includeRevoked: 'true', type: o.type?.split(','), tlp: undefined }, `bundle--${newId()}`);
        await writeFile(file, r.text);
        cli.out(`exported ${r.count} objects to ${file}`);
      }),
    );
}
