import ExcelJS from 'exceljs';
import type { IncidentRow } from './schema.js';
import type { Adherence, IncidentStats, Point } from './stats-schema.js';

/** The statistics as a workbook: one sheet per series, ready for the regulator's own charts. */
export async function statsWorkbook(s: IncidentStats): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Muhafiz';
  const series = (name: string, points: Point[]) => {
    const ws = wb.addWorksheet(name);
    ws.columns = [{ header: name, key: 'label', width: 40 }, { header: 'incidents', key: 'value', width: 12 }];
    for (const p of points) ws.addRow({ label: p.label, value: p.value });
  };
  const summary = wb.addWorksheet('Summary');
  summary.columns = [{ header: 'measure', key: 'k', width: 45 }, { header: 'value', key: 'v', width: 14 }];
  summary.addRows([
    { k: 'incidents', v: s.total },
    { k: 'median hours detection -> report', v: s.medianHours.detectToReport },
    { k: 'median hours report -> triage', v: s.medianHours.reportToTriage },
    { k: 'median hours report -> containment', v: s.medianHours.reportToContain },
    { k: 'advisory recipients', v: s.advisories.recipients },
    { k: 'advisory acknowledgement rate', v: s.advisories.acknowledgementRate },
    { k: 'advisory remediation rate (of affected)', v: s.advisories.remediationRate },
  ]);
  series('By class', s.byClass);
  series('By severity', s.bySeverity);
  series('By entity', s.byEntity);
  series('By month', s.byMonth);
  const adherence = (name: string, rows: Adherence[]) => {
    const ws = wb.addWorksheet(name);
    ws.columns = [{ header: name.replace('Adherence by ', ''), key: 'label', width: 40 }, { header: 'met', key: 'met' }, { header: 'late', key: 'late' }, { header: 'overdue', key: 'overdue' }, { header: 'rate', key: 'rate' }];
    for (const r of rows) ws.addRow(r);
  };
  adherence('Adherence by entity', s.adherenceByEntity);
  adherence('Adherence by stage', s.adherenceByStage);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** An incident list as a workbook. */
export async function incidentsWorkbook(rows: IncidentRow[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Muhafiz';
  const ws = wb.addWorksheet('Incidents');
  ws.columns = [
    { header: 'ref', key: 'ref', width: 18 },
    { header: 'entity', key: 'orgName', width: 28 },
    { header: 'title', key: 'title', width: 40 },
    { header: 'status', key: 'status', width: 14 },
    { header: 'severity', key: 'severity', width: 10 },
    { header: 'RSIT class', key: 'rsitClass', width: 24 },
    { header: 'RSIT type', key: 'rsitType', width: 28 },
    { header: 'major', key: 'major', width: 8 },
    { header: 'detected', key: 'detectedAt', width: 22 },
    { header: 'first reported', key: 'firstReportedAt', width: 22 },
    { header: 'last stage', key: 'lastStage', width: 12 },
    { header: 'next due', key: 'nextDueAt', width: 22 },
    { header: 'overdue', key: 'overdue', width: 8 },
  ];
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
