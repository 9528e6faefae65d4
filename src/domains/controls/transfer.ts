import { parse } from 'csv-parse/sync';
import { authorize } from '../../core/access/index.js';
import { inTx, type Ctx } from '../../core/context.js';
import { AppError, E } from '../../core/errors.js';
import { ControlActions as A } from './policy.js';
import { ControlCreateBody, type ControlCreate, type ControlRow } from './schema.js';
import { applyControlUpdate, insertControl } from './service.js';

/** The import layout (also what `controls export` writes). */
export const CONTROL_COLUMNS = ['ref', 'name', 'description', 'owner', 'status', 'frequency', 'requirements'] as const;

export interface ControlImportReport {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  errors: Array<{ line: number; column: string; message: string }>;
}

/** "iso27001-2022:A.8.7; nist-csf-2.0:DE.CM-01" -> requirement refs. */
function parseRequirements(cell: string): Array<{ framework: string; ref: string }> | string {
  const out: Array<{ framework: string; ref: string }> = [];
  for (const part of cell.split(/[;\n]/).map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf(':');
    if (i <= 0) return `"${part}" is not framework:ref (e.g. iso27001-2022:A.8.7)`;
    out.push({ framework: part.slice(0, i).trim(), ref: part.slice(i + 1).trim() });
  }
  return out;
}

/**
 * Imports applied controls from CSV (columns {@link CONTROL_COLUMNS}; owner
 * is a member's email). A row whose ref exists updates that control, others
 * create one. Every problem is reported with line and column; with any
 * problem, or on a dry run, nothing is written (one transaction).
 */
export async function importControls(ctx: Ctx, input: { content: Buffer; dryRun: boolean }): Promise<ControlImportReport> {
  authorize(ctx.actor, A['controls.manage']);
  let records: Array<Record<string, string>>;
  try {
    records = parse(input.content, { columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    throw E.VALIDATION_FAILED(`The CSV cannot be read: ${(err as Error).message}`, [{ path: 'line 1', message: (err as Error).message }]);
  }
  const header = records.length ? Object.keys(records[0]!) : [];
  const unknown = header.filter((h) => !(CONTROL_COLUMNS as readonly string[]).includes(h));
  if (unknown.length || !header.includes('name')) {
    throw E.VALIDATION_FAILED(`Line 1: the columns must be ${CONTROL_COLUMNS.join(', ')} (name required)`, [{ path: 'line 1', message: unknown.length ? `unknown column(s) ${unknown.join(', ')}` : 'column name missing' }]);
  }
  const report: ControlImportReport = { dryRun: input.dryRun, rows: records.length, created: 0, updated: 0, errors: [] };
  const run = async () =>
    inTx(ctx, async (tx) => {
      const members = new Map(
        (await tx.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.user_id').select(['u.id', 'u.email']).where('m.org_id', '=', ctx.actor.orgId).where('m.disabled_at', 'is', null).execute()).map((m) => [m.email.toLowerCase(), m.id]),
      );
      const existing = new Map((await tx.selectFrom('applied_controls').select(['id', 'ref']).where('org_id', '=', ctx.actor.orgId).execute()).map((r) => [r.ref, r.id]));
      for (const [i, rec] of records.entries()) {
        const line = i + 2;
        const fail = (column: string, message: string) => report.errors.push({ line, column, message });
        const reqs = parseRequirements(rec.requirements ?? '');
        if (typeof reqs === 'string') fail('requirements', reqs);
        const owner = rec.owner ? members.get(rec.owner.toLowerCase()) : null;
        if (rec.owner && !owner) fail('owner', `${rec.owner} is not a member of this organisation`);
        const parsed = ControlCreateBody.safeParse({
          ...(rec.ref ? { ref: rec.ref } : {}),
          name: rec.name ?? '',
          description: rec.description ?? '',
          ownerId: owner ?? null,
          status: rec.status || 'not_started',
          frequency: rec.frequency || null,
          requirements: typeof reqs === 'string' ? [] : reqs,
        });
        if (!parsed.success) {
          for (const issue of parsed.error.issues) fail(String(issue.path[0] ?? '-'), issue.message);
          continue;
        }
        if (typeof reqs === 'string' || (rec.owner && !owner)) continue;
        const data: ControlCreate = parsed.data;
        const id = data.ref ? existing.get(data.ref) : undefined;
        try {
          if (id) {
            const { ref: _ref, nextCheckOn: _n, ...patch } = data;
            await applyControlUpdate(tx, ctx, id, patch, `line ${line}`);
            report.updated++;
          } else {
            const newId = await insertControl(tx, ctx, data, `line ${line}`);
            if (data.ref) existing.set(data.ref, newId);
            report.created++;
          }
        } catch (err) {
          if (!(err instanceof AppError) || err.status >= 500) throw err;
          const p = err.errors?.[0];
          fail(p ? (p.path.split('.').find((s) => (CONTROL_COLUMNS as readonly string[]).includes(s)) ?? '-') : '-', p?.message ?? err.message);
        }
      }
      if (report.errors.length || input.dryRun) throw new Rollback();
    });
  try {
    await run();
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  if (report.errors.length && !input.dryRun) {
    throw E.VALIDATION_FAILED(`The file has ${report.errors.length} problem(s); nothing was written`, report.errors.map((e) => ({ path: `line ${e.line}, column ${e.column}`, message: e.message })));
  }
  if (report.errors.length) return { ...report, created: 0, updated: 0 };
  return report;
}

/** Thrown to roll the import transaction back (dry run, or problems found). */
class Rollback extends Error {}

/** Applied controls as CSV in the import layout (owner as email). */
export function controlsCsv(rows: ControlRow[], emails: ReadonlyMap<string, string>): string {
  const cell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [CONTROL_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [r.ref, r.name, r.description, r.owner ? (emails.get(r.owner.id) ?? '') : '', r.status, r.frequency ?? '', r.requirements.map((q) => `${q.framework}:${q.ref}`).join('; ')].map(cell).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
