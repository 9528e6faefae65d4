import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import { authorize } from '../../core/access/index.js';
import { inTx, type Ctx } from '../../core/context.js';
import { loadMethod } from './method-service.js';
import { RiskActions } from './policy.js';
import type { HeatMap, RiskFilter, RiskRow } from './schema.js';
import { allRisks } from './service.js';

/**
 * Counts of risks per (likelihood, impact) cell for inherent, current and
 * residual ratings (open risks; residual only where one is set), with the
 * method's level and colour for each cell.
 */
export async function heatMap(ctx: Ctx, f: Partial<RiskFilter> = {}): Promise<HeatMap> {
  authorize(ctx.actor, RiskActions['risks.read']);
  return inTx(ctx, async (tx) => {
    const m = await loadMethod(tx, ctx);
    const { rows } = await allRisks(tx, ctx, { status: 'open', ...f });
    const key = (l: number, i: number) => `${l}:${i}`;
    const count = { inherent: new Map<string, number>(), current: new Map<string, number>(), residual: new Map<string, number>() };
    const bump = (map: Map<string, number>, l: number, i: number) => map.set(key(l, i), (map.get(key(l, i)) ?? 0) + 1);
    for (const r of rows) {
      bump(count.inherent, r.inherent.likelihood, r.inherent.impact);
      bump(count.current, r.current.likelihood, r.current.impact);
      if (r.residual) bump(count.residual, r.residual.likelihood, r.residual.impact);
    }
    const cells: HeatMap['cells'] = [];
    for (const l of m.likelihood) {
      for (const i of m.impact) {
        const level = m.matrix[l.value - 1]![i.value - 1]!;
        cells.push({
          likelihood: l.value,
          impact: i.value,
          level,
          colour: m.levels.find((x) => x.key === level)?.colour ?? '#9e9e9e',
          inherent: count.inherent.get(key(l.value, i.value)) ?? 0,
          current: count.current.get(key(l.value, i.value)) ?? 0,
          residual: count.residual.get(key(l.value, i.value)) ?? 0,
        });
      }
    }
    return {
      likelihood: m.likelihood.map((x) => ({ value: x.value, name: x.name })),
      impact: m.impact.map((x) => ({ value: x.value, name: x.name })),
      cells,
      totals: { risks: rows.length, withResidual: rows.filter((r) => r.residual).length },
    };
  });
}

const HEAD = ['Ref', 'Title', 'Owner', 'Status', 'Threat', 'Vulnerability', 'CIA', 'Inherent', 'Current', 'Residual', 'Above appetite', 'Treatment', 'Accepted until', 'Review due'];
const fmt = (s: RiskRow['inherent'] | null) => (s ? `${s.score} ${s.level} (L${s.likelihood} x I${s.impact})` : '');
function line(r: RiskRow): string[] {
  return [r.ref, r.title, r.owner.displayName, r.status, r.threat, r.vulnerability, r.cia.join(''), fmt(r.inherent), fmt(r.current), fmt(r.residual), r.aboveAppetite ? 'yes' : 'no', r.treatment ?? '', r.acceptance ? r.acceptance.expiresOn : '', r.reviewDueOn ?? ''];
}

async function registerRows(ctx: Ctx, f: Partial<RiskFilter>) {
  authorize(ctx.actor, RiskActions['risks.read']);
  return inTx(ctx, (tx) => allRisks(tx, ctx, f));
}

/** The risk register as XLSX: one row per risk, cells coloured by level, and the method on a second sheet. */
export async function registerXlsx(ctx: Ctx, f: Partial<RiskFilter>): Promise<Buffer> {
  const { method, rows } = await registerRows(ctx, f);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Muhafiz';
  const ws = wb.addWorksheet('Risk register');
  ws.addRow(HEAD).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const r of rows) {
    const row = ws.addRow(line(r));
    [[8, r.inherent], [9, r.current], [10, r.residual]].forEach(([col, s]) => {
      const sc = s as RiskRow['inherent'] | null;
      if (sc) row.getCell(col as number).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: `FF${sc.colour.slice(1).toUpperCase()}` } };
    });
  }
  ws.columns.forEach((c, i) => (c.width = i === 1 || i === 4 || i === 5 ? 40 : 16));
  const ms = wb.addWorksheet('Method');
  ms.addRow([`${method.name} (version ${method.version})`]).font = { bold: true };
  ms.addRow(['Appetite', method.appetiteLevel, 'Tolerance', method.toleranceLevel]);
  ms.addRow([]);
  ms.addRow(['Likelihood \\ Impact', ...method.impact.map((i) => `${i.value} ${i.name}`)]).font = { bold: true };
  method.likelihood.forEach((l) => ms.addRow([`${l.value} ${l.name}`, ...method.matrix[l.value - 1]!]));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The risk register as a landscape A4 PDF: method summary, then one block per risk. */
export async function registerPdf(ctx: Ctx, f: Partial<RiskFilter>, orgName: string): Promise<Buffer> {
  const { method, rows } = await registerRows(ctx, f);
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 36, info: { Title: `Risk register - ${orgName}`, Creator: 'Muhafiz' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.fontSize(16).text(`Risk register - ${orgName}`);
  doc.fontSize(9).fillColor('#555').text(`Generated ${ctx.clock.now().toISOString()} - method ${method.name} v${method.version}, appetite ${method.appetiteLevel}, tolerance ${method.toleranceLevel} - ${rows.length} risk(s)`);
  doc.moveDown();
  for (const r of rows) {
    if (doc.y > doc.page.height - 120) doc.addPage();
    doc.fillColor('#000').fontSize(11).text(`${r.ref}  ${r.title}`, { continued: false });
    doc.fontSize(8.5).fillColor('#333');
    doc.text(`Owner: ${r.owner.displayName}   Status: ${r.status}   CIA: ${r.cia.join('') || '-'}   Treatment: ${r.treatment ?? '-'}   Review due: ${r.reviewDueOn ?? '-'}`);
    if (r.threat || r.vulnerability) doc.text(`Threat: ${r.threat || '-'}   Vulnerability: ${r.vulnerability || '-'}`);
    const y = doc.y + 2;
    let x = doc.page.margins.left;
    for (const [label, s] of [['Inherent', r.inherent], ['Current', r.current], ['Residual', r.residual]] as const) {
      doc.rect(x, y, 10, 10).fill(s?.colour ?? '#cccccc');
      doc.fillColor('#000').text(`${label}: ${fmt(s) || 'not set'}`, x + 14, y + 1, { lineBreak: false });
      x += 200;
    }
    doc.x = doc.page.margins.left;
    doc.y = y + 14;
    if (r.acceptance) doc.text(`Accepted by ${r.acceptance.acceptedBy.displayName} on ${r.acceptance.acceptedAt.slice(0, 10)} until ${r.acceptance.expiresOn}: ${r.acceptance.rationale}`);
    doc.moveDown(0.6);
  }
  doc.end();
  return done;
}
