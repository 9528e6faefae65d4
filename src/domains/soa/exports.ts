import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import type { Ctx } from '../../core/context.js';
import type { SnapshotRow, VersionRow } from './schema.js';
import { exportRows } from './service.js';

export interface SoaDocument {
  orgName: string;
  frameworkName: string;
  version: VersionRow | null;
  generatedAt: string;
  rows: SnapshotRow[];
  groups: Map<string, string>;
}

const STATUS_LABEL: Record<SnapshotRow['status'], string> = { not_started: 'Not started', partial: 'Partially implemented', implemented: 'Implemented' };

export function applicableLabel(r: SnapshotRow): string {
  return r.applicable === null ? 'Undecided' : r.applicable ? 'Yes' : 'No';
}
export function statusLabel(r: SnapshotRow): string {
  return r.applicable === false ? 'Not applicable' : STATUS_LABEL[r.status];
}

/** The header lines every export starts with: org, framework, version, approver and date. */
export function headerLines(d: SoaDocument): string[] {
  const v = d.version;
  return [
    `Statement of Applicability - ${d.orgName}`,
    `Framework: ${d.frameworkName}`,
    v ? `Version ${v.version}, approved by ${v.approvedBy.displayName} on ${v.approvedAt.slice(0, 10)}` : 'Current working version (not approved)',
    `Generated ${d.generatedAt}${v ? ` - digest ${v.digest.slice(0, 16)}` : ''}`,
  ];
}

export async function loadSoaDocument(ctx: Ctx, orgName: string, framework: string, version?: number): Promise<SoaDocument> {
  const r = await exportRows(ctx, framework, version);
  return { orgName, frameworkName: r.frameworkName, version: r.version, generatedAt: ctx.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'), rows: r.rows, groups: r.groups };
}

const COLUMNS: Array<{ header: string; width: number; value: (r: SnapshotRow, d: SoaDocument) => string }> = [
  { header: 'Control', width: 10, value: (r) => r.ref },
  { header: 'Title', width: 40, value: (r) => r.title },
  { header: 'Theme', width: 22, value: (r, d) => d.groups.get(r.ref) ?? '' },
  { header: 'Applicable', width: 11, value: (r) => applicableLabel(r) },
  { header: 'Justification', width: 60, value: (r) => r.justification },
  { header: 'Implementation status', width: 22, value: (r) => statusLabel(r) },
  { header: 'Owner', width: 20, value: (r) => r.owner ?? '' },
  { header: 'Applied controls', width: 20, value: (r) => r.controls.join(', ') },
  { header: 'Evidence', width: 50, value: (r) => r.evidence.join('\n') },
  { header: 'Risks', width: 16, value: (r) => r.risks.join(', ') },
];

/** The SoA as an XLSX workbook: header block, then one row per control, frozen header, filters on. */
export async function soaXlsx(d: SoaDocument): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Muhafiz';
  wb.title = `Statement of Applicability - ${d.orgName}`;
  const ws = wb.addWorksheet('Statement of Applicability');
  const head = headerLines(d);
  head.forEach((line, i) => {
    const row = ws.addRow([line]);
    if (i === 0) row.font = { bold: true, size: 14 };
  });
  ws.addRow([]);
  const headerRow = ws.addRow(COLUMNS.map((c) => c.header));
  headerRow.font = { bold: true };
  headerRow.eachCell((cell) => (cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE0E0E0' } }));
  const first = headerRow.number;
  for (const r of d.rows) {
    const row = ws.addRow(COLUMNS.map((c) => c.value(r, d)));
    row.alignment = { vertical: 'top', wrapText: true };
  }
  COLUMNS.forEach((c, i) => (ws.getColumn(i + 1).width = c.width));
  ws.views = [{ state: 'frozen', ySplit: first }];
  ws.autoFilter = { from: { row: first, column: 1 }, to: { row: first + d.rows.length, column: COLUMNS.length } };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The SoA as a landscape A4 PDF: header block, summary, then a table row per control (repeating the header on each page). */
export async function soaPdf(d: SoaDocument): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 30, bufferPages: true, info: { Title: `Statement of Applicability - ${d.orgName}`, Creator: 'Muhafiz' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const [title, ...rest] = headerLines(d);
  doc.fontSize(15).fillColor('#000').text(title!);
  doc.fontSize(9).fillColor('#333');
  for (const line of rest) doc.text(line);
  const applicable = d.rows.filter((r) => r.applicable !== false);
  doc.text(`${d.rows.length} controls: ${applicable.length} applicable, ${d.rows.length - applicable.length} excluded; ${applicable.filter((r) => r.status === 'implemented').length} implemented, ${applicable.filter((r) => r.status === 'partial').length} partially implemented.`);
  doc.moveDown(0.5);
  const cols = [
    { h: 'Control', w: 42, v: (r: SnapshotRow) => r.ref },
    { h: 'Title', w: 140, v: (r: SnapshotRow) => r.title },
    { h: 'Applicable', w: 52, v: applicableLabel },
    { h: 'Justification', w: 230, v: (r: SnapshotRow) => r.justification },
    { h: 'Status', w: 78, v: statusLabel },
    { h: 'Owner', w: 70, v: (r: SnapshotRow) => r.owner ?? '' },
    { h: 'Evidence', w: 170, v: (r: SnapshotRow) => r.evidence.slice(0, 8).join('\n') + (r.evidence.length > 8 ? `\n(+${r.evidence.length - 8} more)` : '') },
  ];
  const left = doc.page.margins.left;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const drawHeader = () => {
    let x = left;
    const y = doc.y;
    doc.fontSize(8).fillColor('#000').font('Helvetica-Bold');
    for (const c of cols) {
      doc.text(c.h, x + 2, y, { width: c.w - 4, lineBreak: false });
      x += c.w;
    }
    doc.font('Helvetica');
    doc.y = y + 12;
    doc.moveTo(left, doc.y - 2).lineTo(x, doc.y - 2).strokeColor('#999').stroke();
  };
  drawHeader();
  for (const r of d.rows) {
    doc.fontSize(7.5);
    const heights = cols.map((c) => doc.heightOfString(c.v(r) || ' ', { width: c.w - 4 }));
    const h = Math.max(...heights) + 4;
    if (doc.y + h > bottom()) {
      doc.addPage();
      drawHeader();
      doc.fontSize(7.5);
    }
    const y = doc.y;
    let x = left;
    doc.fillColor('#111');
    for (const c of cols) {
      doc.text(c.v(r) || ' ', x + 2, y + 1, { width: c.w - 4 });
      x += c.w;
    }
    doc.y = y + h;
    doc.moveTo(left, doc.y).lineTo(x, doc.y).strokeColor('#ddd').stroke();
  }
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would start a new page: lift it for the footer.
    doc.page.margins.bottom = 0;
    doc.fontSize(7).fillColor('#666').text(`${d.orgName} - Statement of Applicability${d.version ? ` v${d.version.version}` : ' (not approved)'} - page ${i + 1} of ${range.count}`, left, doc.page.height - 20, { lineBreak: false });
  }
  doc.end();
  return done;
}
