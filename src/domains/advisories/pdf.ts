import PDFDocument from 'pdfkit';
import type { AdvisoryRow } from './schema.js';

const TLP_COLOURS: Record<string, string> = { clear: '#000000', green: '#33A532', amber: '#FFC000', 'amber+strict': '#FFC000', red: '#FF2B2B' };

/** Renders an advisory as a PDF (TLP marking in the header of every page, as FIRST TLP 2.0 asks). */
export async function renderAdvisoryPdf(a: AdvisoryRow & { certName: string }): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `${a.ref} ${a.title}`, Author: a.certName, Subject: 'Security advisory' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const tlp = `TLP:${a.tlp.toUpperCase()}`;
  const header = () => {
    doc.save().fontSize(10).fillColor(TLP_COLOURS[a.tlp] ?? '#000').text(tlp, 56, 24, { align: 'right' }).restore();
    doc.fillColor('#000');
  };
  doc.on('pageAdded', header);
  header();
  doc.moveDown(1).fontSize(9).fillColor('#555').text(`${a.certName} · ${a.ref} · ${a.publishedAt ? `published ${a.publishedAt.slice(0, 10)}` : 'DRAFT'}`);
  doc.moveDown(0.5).fillColor('#000').fontSize(18).text(a.title);
  doc.moveDown(0.5).fontSize(11).text(`Severity: ${a.severity}    ${tlp}`);
  if (a.validFrom || a.validUntil) doc.text(`Valid: ${a.validFrom?.slice(0, 10) ?? '-'} to ${a.validUntil?.slice(0, 10) ?? 'until withdrawn'}`);
  if (a.cveIds.length) doc.text(`CVE: ${a.cveIds.join(', ')}`);
  const section = (title: string, body: string) => {
    doc.moveDown(1).fontSize(13).text(title);
    doc.moveDown(0.3).fontSize(10).text(body);
  };
  if (a.products.length) section('Affected products', a.products.map((p) => `• ${p.vendor} ${p.product}${p.versions ? ` (${p.versions})` : ''}`).join('\n'));
  section('Description', a.description);
  section('Recommended actions', a.recommendedActions);
  if (a.indicators.length) section('Indicators', a.indicators.map((i) => `${i.type}: ${i.value} [TLP:${i.tlp.toUpperCase()}]`).join('\n'));
  doc.end();
  return done;
}
