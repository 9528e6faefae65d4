import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RegimeDefinition, stageRuleText, type RegimeRow } from '../../../src/domains/incidents/regimes/schema.js';
import { api } from '../api.js';
import { DataTable } from '../components/data-table.js';
import { ErrorBanner, FormField, SelectField, fieldErrorsOf, validate } from '../components/form-field.js';
import { useToast } from '../components/toast.js';
import { can, useActiveSession } from '../session.js';

type Definition = RegimeDefinition;
const PRESETS = [
  { value: 'dora', label: 'DORA-like (initial 4 h after classification, at most 24 h after detection; intermediate 72 h; final 1 month)' },
  { value: 'nis2', label: 'NIS2-like (early warning 24 h, notification 72 h, final 1 month)' },
  { value: 'local', label: 'Local default' },
];
const ANCHORS = ['detected', 'classified', 'initial', 'intermediate'].map((a) => ({ value: a, label: `after ${a}` }));

/**
 * Reporting regimes as data: a CERT (or regulator) installs the shipped
 * presets and tunes what is reportable, what is major and when each stage is
 * due. Entities see the regimes that apply to them, read-only.
 */
export function RegimesPage() {
  const s = useActiveSession();
  const manage = can(s, 'regimes.manage');
  const list = useQuery({ queryKey: ['regimes'], queryFn: () => api.get<RegimeRow[]>('/api/regimes') });
  const [editing, setEditing] = useState<string | null>(null);
  const current = list.data?.find((r) => r.id === editing) ?? null;
  return (
    <>
      <h1>Reporting regimes</h1>
      <p className="muted">A regime says which incidents must be reported, which are major, and when each report stage is due. Deadlines are computed from the incident&apos;s stored times, so a change here applies to every open incident under the regime.</p>
      {manage ? <InstallPreset /> : null}
      <ErrorBanner error={list.error} />
      <DataTable
        caption="Reporting regimes"
        rows={list.data}
        loading={list.isPending}
        rowKey={(r) => r.id}
        empty="No regime installed yet."
        columns={[
          { key: 'name', header: 'Regime', render: (r) => <><strong>{r.definition.name}</strong><div className="muted"><code>{r.key}</code>{r.isDefault ? <> · <span className="tag">default</span></> : null}</div></> },
          { key: 'major', header: 'Major when', render: (r) => `${r.definition.majorMinCriteria}+ criteria${r.definition.criteria.some((c) => c.required) ? ' incl. the required one' : ''}`, wide: true },
          { key: 'stages', header: 'Deadlines', render: (r) => <ul className="plain">{r.definition.stages.map((st) => <li key={st.stage}>{st.label}: {stageRuleText(st)}</li>)}</ul> },
          { key: 'actions', header: 'Actions', render: (r) => (r.actions.includes('regimes.manage') ? <button type="button" className="small" onClick={() => setEditing(r.id)} aria-label={`Edit ${r.definition.name}`}>Edit</button> : null) },
        ]}
      />
      {manage && current ? <RegimeEditor key={current.id} regime={current} onDone={() => setEditing(null)} /> : null}
    </>
  );
}

function InstallPreset() {
  const qc = useQueryClient();
  const toast = useToast();
  const [preset, setPreset] = useState('dora');
  const [key, setKey] = useState('');
  const install = useMutation({
    mutationFn: () => api.post<RegimeRow>('/api/regimes', { preset, ...(key.trim() ? { key: key.trim() } : {}) }),
    onSuccess: (r) => {
      toast(`Installed ${r.definition.name}`);
      setKey('');
      void qc.invalidateQueries({ queryKey: ['regimes'] });
    },
  });
  const errors = fieldErrorsOf(install.error);
  return (
    <form
      className="form-card"
      aria-label="Install a preset regime"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        install.mutate();
      }}
    >
      <SelectField label="Preset" name="preset" value={preset} onChange={setPreset} options={PRESETS} errors={errors} />
      <FormField label="Key (optional)" name="key" value={key} onChange={(e) => setKey(e.target.value)} errors={errors} hint="lower-case letters, digits, dashes; defaults to the preset name" />
      <button type="submit" className="primary" disabled={install.isPending}>Install preset</button>
      <ErrorBanner error={install.error} />
    </form>
  );
}

const num = (v: string): number | null => (v.trim() === '' ? null : Number(v));

function RegimeEditor({ regime, onDone }: { regime: RegimeRow; onDone: () => void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [def, setDef] = useState<Definition>(regime.definition);
  const [local, setLocal] = useState<Record<string, string> | null>(null);
  const save = useMutation({
    mutationFn: (body: { definition?: Definition; isDefault?: true }) => api.patch<RegimeRow>(`/api/regimes/${regime.id}`, body),
    onSuccess: (r) => {
      toast(`Saved ${r.definition.name}`);
      void qc.invalidateQueries({ queryKey: ['regimes'] });
      onDone();
    },
  });
  // Server errors are keyed `definition.criteria.0.major`; local ones the same way.
  const errors = { ...fieldErrorsOf(save.error), ...(local ?? {}) };
  const setCriterion = (i: number, patch: Partial<Definition['criteria'][number]>) => setDef({ ...def, criteria: def.criteria.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  const setRule = (i: number, j: number, patch: Partial<Definition['stages'][number]['deadlines'][number]>) =>
    setDef({ ...def, stages: def.stages.map((st, k) => (k === i ? { ...st, deadlines: st.deadlines.map((d, l) => (l === j ? { ...d, ...patch } : d)) } : st)) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = validate(RegimeDefinition, def);
    if (v.errors) {
      setLocal(Object.fromEntries(Object.entries(v.errors).map(([k, m]) => [`definition.${k}`, m])));
      return;
    }
    setLocal(null);
    save.mutate({ definition: v.data });
  };
  return (
    <form className="form-card" aria-label={`Edit ${regime.definition.name}`} onSubmit={submit} noValidate>
      <h2>Edit {regime.definition.name}</h2>
      <FormField label="Name" name="definition.name" value={def.name} onChange={(e) => setDef({ ...def, name: e.target.value })} errors={errors} />
      <FormField label="Criteria needed for major" name="definition.majorMinCriteria" type="number" min={1} value={def.majorMinCriteria} onChange={(e) => setDef({ ...def, majorMinCriteria: Number(e.target.value) })} errors={errors} />
      <SelectField label="Deadlines run for" name="definition.deadlinesFor" value={def.deadlinesFor} onChange={(v) => setDef({ ...def, deadlinesFor: v as Definition['deadlinesFor'] })} options={[{ value: 'major', label: 'major incidents only' }, { value: 'reportable', label: 'every reportable incident' }]} errors={errors} />
      <FormField label="Remind this many hours before a deadline" name="definition.remindBeforeHours" type="number" min={0} value={def.remindBeforeHours} onChange={(e) => setDef({ ...def, remindBeforeHours: Number(e.target.value) })} errors={errors} />
      <h3>Criteria</h3>
      <p className="muted">At or above the reportable threshold the incident must be reported; at or above the major threshold the criterion counts towards major. Empty: never.</p>
      {def.criteria.map((c, i) => (
        <fieldset key={c.key} className="field-row">
          <legend>{c.label} <span className="muted">({c.unit})</span></legend>
          <FormField label="Reportable at" name={`definition.criteria.${i}.reportable`} type="number" min={0} value={c.reportable ?? ''} onChange={(e) => setCriterion(i, { reportable: num(e.target.value) })} errors={errors} />
          <FormField label="Major at" name={`definition.criteria.${i}.major`} type="number" min={0} value={c.major ?? ''} onChange={(e) => setCriterion(i, { major: num(e.target.value) })} errors={errors} />
          <label className="checkbox">
            <input type="checkbox" checked={c.required} onChange={(e) => setCriterion(i, { required: e.target.checked })} /> Required for major
          </label>
        </fieldset>
      ))}
      <h3>Stages and deadlines</h3>
      <p className="muted">A stage is due at the earliest of its clocks whose starting moment has happened.</p>
      {def.stages.map((st, i) => (
        <fieldset key={st.stage} className="field-row">
          <legend>{st.label} <span className="muted">({st.stage})</span></legend>
          {st.deadlines.map((d, j) => (
            <div key={j} className="field-row">
              <FormField label={`Clock ${j + 1}: hours`} name={`definition.stages.${i}.deadlines.${j}.hours`} type="number" min={0} value={d.hours} onChange={(e) => setRule(i, j, { hours: Number(e.target.value) })} errors={errors} />
              <FormField label={`Clock ${j + 1}: months`} name={`definition.stages.${i}.deadlines.${j}.months`} type="number" min={0} value={d.months} onChange={(e) => setRule(i, j, { months: Number(e.target.value) })} errors={errors} />
              <SelectField label={`Clock ${j + 1}: counted from`} name={`definition.stages.${i}.deadlines.${j}.from`} value={d.from} onChange={(v) => setRule(i, j, { from: v as typeof d.from })} options={ANCHORS} errors={errors} />
            </div>
          ))}
        </fieldset>
      ))}
      <ErrorBanner error={save.error ?? (local ? new Error('Check the highlighted fields.') : null)} />
      <div className="row-actions">
        <button type="submit" className="primary" disabled={save.isPending}>Save regime</button>
        {!regime.isDefault ? <button type="button" className="small" disabled={save.isPending} onClick={() => save.mutate({ isDefault: true })}>Make default</button> : null}
        <button type="button" className="small" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
