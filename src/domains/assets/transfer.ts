import ExcelJS from 'exceljs';
import type { Insertable } from 'kysely';
import { authorize } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import { AssetErrors } from './errors.js';
import { IMPORT_COLUMNS, validateSheet, type ValidRow } from './import-rows.js';
import { AssetActions } from './policy.js';
import * as repo from './repo.js';
import { RATING_LABELS, type AssetFilter, type ImportFormat, type ImportReport } from './schema.js';
import { parseCsv, parseXlsx, SheetError, type Sheet } from './tabular.js';

async function readSheet(format: ImportFormat, content: Buffer): Promise<Sheet> {
  return format === 'csv' ? parseCsv(content) : parseXlsx(content);
}

const COLUMN_FOR: Record<string, string> = {
  description: 'description', owner: 'owner_id', custodian: 'custodian_id', location: 'location',
  confidentiality: 'confidentiality', integrity: 'integrity', availability: 'availability', criticality: 'criticality',
  acquired_on: 'acquired_on', review_due_on: 'review_due_on', retired_on: 'retired_on', tags: 'tags',
};

function rowValues(r: ValidRow): Record<string, unknown> {
  const v = r.values;
  return {
    name: v.name, type: v.type, description: v.description, owner_id: v.ownerId, custodian_id: v.custodianId, location: v.location,
    confidentiality: v.confidentiality, integrity: v.integrity, availability: v.availability, criticality: v.criticality,
    acquired_on: v.acquiredOn, review_due_on: v.reviewDueOn, retired_on: v.retiredOn, tags: v.tags,
  };
}

/**
 * Imports assets from a CSV or XLSX file. Rows are matched to existing assets
 * by name (an export re-imported updates in place; only the columns present
 * change). Every problem of every row is reported with its line and column;
 * with any problem, or on a dry run, nothing is written. Otherwise all rows
 * commit in one transaction, each audited.
 */
export async function importAssets(ctx: Ctx, input: { format: ImportFormat; content: Buffer; dryRun: boolean }): Promise<ImportReport> {
  authorize(ctx.actor, AssetActions['assets.manage']);
  let sheet: Sheet;
  try {
    sheet = await readSheet(input.format, input.content);
  } catch (err) {
    if (!(err instanceof SheetError)) throw err;
    const errors = [{ line: err.line, column: '-', message: err.message }];
    if (input.dryRun) return { dryRun: true, rows: 0, created: 0, updated: 0, errors, committed: false };
    throw AssetErrors.ASSET_IMPORT_INVALID(undefined, [{ path: `line ${err.line}`, message: err.message }]);
  }
  return inTx(ctx, async (tx) => {
    const orgId = ctx.actor.orgId;
    const members = new Map((await repo.orgMembers(tx, orgId)).map((m) => [m.email.toLowerCase(), m.id]));
    const mentioned = new Set<string>();
    for (const r of sheet.rows) {
      const n = r.cells.get('name');
      if (n) mentioned.add(n);
      for (const d of (r.cells.get('depends_on') ?? '').split(/[;,]/)) if (d.trim()) mentioned.add(d.trim());
    }
    const existing = await repo.assetIdsByName(tx, orgId, [...mentioned]);
    const { rows, errors } = validateSheet(sheet, members, new Set(existing.keys()));
    const toUpdate = rows.filter((r) => existing.has(r.values.name.toLowerCase())).length;
    const report: ImportReport = { dryRun: input.dryRun, rows: sheet.rows.length, created: rows.length - toUpdate, updated: toUpdate, errors, committed: false };
    if (errors.length) {
      if (input.dryRun) return { ...report, created: 0, updated: 0 };
      throw AssetErrors.ASSET_IMPORT_INVALID(
        `The file has ${errors.length} problem(s); nothing was written`,
        errors.map((e) => ({ path: `line ${e.line}, column ${e.column}`, message: e.message })),
      );
    }
    if (input.dryRun) return report;

    const now = ctx.clock.now();
    const ids = new Map(existing);
    const inserts: Array<Insertable<repo.AssetsTable>> = [];
    for (const r of rows) {
      const key = r.values.name.toLowerCase();
      const values = rowValues(r);
      const prior = existing.get(key);
      if (prior) {
        const set: Record<string, unknown> = { name: values.name, type: values.type, updated_at: now };
        for (const c of r.present) if (COLUMN_FOR[c]) set[COLUMN_FOR[c]] = values[COLUMN_FOR[c]];
        const before = await repo.findAsset(tx, orgId, prior);
        await tx.updateTable('assets').set(set).where('org_id', '=', orgId).where('id', '=', prior).execute();
        await audit(tx, ctx, { action: 'assets.update', entityType: 'asset', entityId: prior, before, after: set, details: { name: r.values.name, import: true, line: r.line } });
      } else {
        const id = newId();
        ids.set(key, id);
        inserts.push({ org_id: orgId, id, ...values, created_at: now, updated_at: now } as (typeof inserts)[number]);
      }
    }
    // New rows go in as multi-row inserts (a 2,000-row file is 4 statements, not 2,000); each is still audited.
    for (let i = 0; i < inserts.length; i += 500) await tx.insertInto('assets').values(inserts.slice(i, i + 500)).execute();
    for (const row of inserts) {
      await audit(tx, ctx, { action: 'assets.create', entityType: 'asset', entityId: row.id, after: row, details: { name: row.name, import: true } });
    }
    // Dependencies after every row exists, so rows may name assets further down the file.
    const withDeps = rows.filter((r) => r.dependsOn !== undefined);
    const owners = withDeps.map((r) => ids.get(r.values.name.toLowerCase())!);
    for (let i = 0; i < owners.length; i += 1000) {
      await tx.deleteFrom('asset_dependencies').where('org_id', '=', orgId).where('asset_id', 'in', owners.slice(i, i + 1000)).execute();
    }
    const edges = withDeps.flatMap((r) => {
      const from = ids.get(r.values.name.toLowerCase())!;
      return [...new Set(r.dependsOn!.map((d) => ids.get(d.toLowerCase())!))].map((to) => ({ org_id: orgId, asset_id: from, depends_on_id: to }));
    });
    for (let i = 0; i < edges.length; i += 1000) await tx.insertInto('asset_dependencies').values(edges.slice(i, i + 1000)).execute();
    await audit(tx, ctx, { action: 'assets.import', entityType: 'asset', details: { format: input.format, rows: rows.length, created: report.created, updated: report.updated } });
    return { ...report, committed: true };
  });
}

const EXPORT_HEADERS = IMPORT_COLUMNS;

/** The inventory (filtered) as rows in the import layout: an export imports back unchanged. */
async function exportRows(ctx: Ctx, filter: Partial<AssetFilter>): Promise<string[][]> {
  authorize(ctx.actor, AssetActions['assets.read']);
  return inTx(ctx, async (tx) => {
    const assets = await repo.findAllAssets(tx, ctx.actor.orgId, filter);
    const edges = await repo.allEdges(tx, ctx.actor.orgId);
    const names = new Map((await tx.selectFrom('assets').select(['id', 'name']).where('org_id', '=', ctx.actor.orgId).execute()).map((a) => [a.id, a.name]));
    const deps = new Map<string, string[]>();
    for (const e of edges) deps.set(e.asset_id, [...(deps.get(e.asset_id) ?? []), names.get(e.depends_on_id)!]);
    return assets.map((a) => [
      a.name, a.type, a.description, a.owner_email ?? '', a.custodian_email ?? '', a.location,
      String(a.confidentiality), String(a.integrity), String(a.availability), String(a.criticality),
      a.acquired_on ?? '', a.review_due_on ?? '', a.retired_on ?? '', a.tags.join('; '), (deps.get(a.id) ?? []).sort().join('; '),
    ]);
  });
}

function csvCell(s: string): string {
  // A leading =, +, -, @ would run as a formula in a spreadsheet: neutralise it.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The inventory as CSV (UTF-8, comma separated, header row). */
export async function exportAssetsCsv(ctx: Ctx, filter: Partial<AssetFilter>): Promise<Buffer> {
  const rows = await exportRows(ctx, filter);
  const text = [EXPORT_HEADERS.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\r\n') + '\r\n';
  return Buffer.from(text, 'utf8');
}

/** The inventory as an XLSX workbook, with a legend sheet for the ratings. */
export async function exportAssetsXlsx(ctx: Ctx, filter: Partial<AssetFilter>): Promise<Buffer> {
  const rows = await exportRows(ctx, filter);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Muhafiz';
  const ws = wb.addWorksheet('Assets');
  ws.addRow([...EXPORT_HEADERS]);
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const r of rows) ws.addRow(r);
  ws.columns.forEach((c, i) => (c.width = i === 2 ? 40 : 18));
  const legend = wb.addWorksheet('Ratings');
  legend.addRow(['value', 'label']);
  RATING_LABELS.forEach((l, i) => legend.addRow([i + 1, l.replace('_', ' ')]));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
