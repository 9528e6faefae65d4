import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

/** One data row of an uploaded sheet: its line in the file and its cells by lower-cased header. */
export interface SheetRow {
  line: number;
  cells: Map<string, string>;
}

export interface Sheet {
  /** Headers as written, lower-cased and trimmed, in file order. */
  headers: string[];
  rows: SheetRow[];
}

export class SheetError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses CSV (UTF-8, optional BOM, comma or semicolon separated, quoted
 * fields may span lines). `line` is where the record starts, so a person can
 * find it in an editor. Blank lines are skipped.
 */
export function parseCsv(buf: Buffer): Sheet {
  const text = buf.toString('utf8').replace(/^\uFEFF/, '');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let records: Array<{ record: string[]; info: { lines: number; raw?: string } }>;
  try {
    records = parse(text, { delimiter, info: true, raw: true, skip_empty_lines: true, relax_column_count: true, bom: true }) as unknown as typeof records;
  } catch (err) {
    const e = err as { lines?: number; message: string };
    throw new SheetError(e.lines ?? 1, `not valid CSV: ${e.message}`);
  }
  if (records.length === 0) throw new SheetError(1, 'the file is empty');
  const headers = records[0]!.record.map((h) => h.trim().toLowerCase());
  const rows = records.slice(1).map((r) => {
    // info.lines is the line the record ends on; count back the newlines inside it.
    const inner = (r.info.raw ?? '').replace(/\r?\n$/, '').split(/\r?\n/).length - 1;
    const cells = new Map<string, string>();
    headers.forEach((h, i) => cells.set(h, (r.record[i] ?? '').trim()));
    return { line: r.info.lines - inner, cells };
  });
  return { headers, rows };
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('error' in v) return String(v.error);
    return '';
  }
  return String(v);
}

/** Parses the first worksheet of an XLSX workbook; `line` is the sheet row number. */
export async function parseXlsx(buf: Buffer): Promise<Sheet> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch (err) {
    throw new SheetError(1, `not a valid XLSX workbook: ${(err as Error).message}`);
  }
  const ws = wb.worksheets[0];
  if (!ws || ws.rowCount === 0) throw new SheetError(1, 'the workbook has no rows');
  const headerRow = ws.getRow(1);
  const headers: string[] = [];
  for (let c = 1; c <= headerRow.cellCount; c++) headers.push(cellText(headerRow.getCell(c).value).trim().toLowerCase());
  while (headers.length && headers[headers.length - 1] === '') headers.pop();
  const rows: SheetRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    if (n === 1) return;
    const cells = new Map<string, string>();
    let any = false;
    headers.forEach((h, i) => {
      const t = cellText(row.getCell(i + 1).value).trim();
      if (t) any = true;
      cells.set(h, t);
    });
    if (any) rows.push({ line: n, cells });
  });
  return { headers, rows };
}
