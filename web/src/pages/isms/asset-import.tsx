import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ImportReport } from '../../../../src/domains/assets/schema.js';
import { api } from '../../api.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBanner } from '../../components/form-field.js';
import { fileToBase64 } from './common.js';

/**
 * Import wizard: pick a CSV or XLSX file, run a dry run that lists every bad
 * cell by line and column, and commit only a clean file (all or nothing).
 */
export function AssetImportPage() {
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const qc = useQueryClient();
  const run = useMutation({
    mutationFn: async (dryRun: boolean) => {
      if (!file) throw new Error('Choose a file first');
      const format = file.name.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv';
      return api.post<ImportReport>('/api/assets/import', { format, content: await fileToBase64(file), dryRun });
    },
    onSuccess: (r) => {
      setReport(r);
      if (r.committed) void qc.invalidateQueries({ queryKey: ['assets'] });
    },
  });
  return (
    <>
      <h1>Import assets</h1>
      <ol className="steps">
        <li>Prepare a CSV or XLSX file with a header row: <code>name, type</code> (required) and any of <code>description, owner, custodian, location, confidentiality, integrity, availability, criticality, acquired_on, review_due_on, retired_on, tags, depends_on</code>. Owners are member emails; ratings are 1-5 or very low … very high; tags and depends_on are separated by semicolons. An export is a valid import.</li>
        <li>Check it with a dry run: every problem is listed with its line and column. Nothing is written.</li>
        <li>Import: all rows or none. Rows whose name exists update that asset.</li>
      </ol>
      <div className="form-card">
        <div className="field">
          <label htmlFor="import-file">File</label>
          <input id="import-file" type="file" accept=".csv,.xlsx" onChange={(e) => { setFile(e.target.files?.[0] ?? null); setReport(null); }} />
        </div>
        <div className="actions">
          <button type="button" className="primary" disabled={!file || run.isPending} onClick={() => run.mutate(true)}>Dry run</button>
          <button type="button" disabled={!report || !report.dryRun || report.errors.length > 0 || run.isPending} onClick={() => run.mutate(false)}>Import {report && report.dryRun ? `${report.rows} rows` : ''}</button>
        </div>
      </div>
      <ErrorBanner error={run.error} />
      {report ? (
        report.errors.length ? (
          <>
            <div className="banner banner-error" role="alert">{report.errors.length} problem(s) in {report.rows} row(s). Fix the file and run the dry run again; nothing was written.</div>
            <DataTable caption="Import problems" rows={report.errors} rowKey={(e) => `${e.line}:${e.column}:${e.message}`} columns={[
              { key: 'line', header: 'Line', render: (e) => e.line },
              { key: 'column', header: 'Column', render: (e) => e.column },
              { key: 'message', header: 'Problem', render: (e) => e.message },
            ]} />
          </>
        ) : (
          <div className="banner banner-ok" role="status">
            {report.committed ? `Imported: ${report.created} created, ${report.updated} updated.` : `The file is valid: ${report.created} would be created, ${report.updated} updated.`}
            {report.committed ? <> <Link to="/assets">Back to the inventory</Link></> : null}
          </div>
        )
      ) : null}
    </>
  );
}
