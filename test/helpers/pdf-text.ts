import { inflateSync } from 'node:zlib';

/**
 * The text drawn in a PDF written by pdfkit with its standard fonts, one
 * string per text-showing operator: content streams are inflated and the hex
 * strings of each TJ array joined (pdfkit splits words for kerning). Enough to
 * check that an export says what it should; not a general PDF reader.
 */
export function pdfText(pdf: Buffer): string[] {
  const out: string[] = [];
  const src = pdf.toString('latin1');
  const re = /stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src))) {
    const start = m.index + m[0].length;
    const end = src.indexOf('endstream', start);
    if (end < 0) break;
    const raw = pdf.subarray(start, end);
    let body: string;
    try {
      body = inflateSync(raw).toString('latin1');
    } catch {
      body = raw.toString('latin1');
    }
    for (const tj of body.matchAll(/\[((?:<[0-9a-fA-F]*>|[^\]])*)\]\s*TJ/g)) {
      const parts = [...tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1]!, 'hex').toString('latin1'));
      out.push(parts.join(''));
    }
    re.lastIndex = end + 'endstream'.length;
  }
  return out;
}
