import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RiskMethod, RiskMethodInput } from '../../../../src/domains/risks/schema.js';
import { request } from '../../api.js';
import { ErrorBanner, fieldErrorsOf } from '../../components/form-field.js';
import { useToast } from '../../components/toast.js';
import { api } from '../../api.js';
import { useRiskMethod } from './risks.js';

type Scale = RiskMethodInput['likelihood'];

/** Edits the org's risk method; saving re-scores every risk (and records it in each risk's history). */
export function RiskMethodPage() {
  const q = useRiskMethod();
  if (!q.data) return <ErrorBanner error={q.error} />;
  return <MethodEditor key={`${q.data.version}`} method={q.data} />;
}

function MethodEditor({ method }: { method: RiskMethod }) {
  const { version: _v, updatedAt: _u, saved: _s, actions, ...initial } = method;
  const [m, setM] = useState<RiskMethodInput>(initial);
  const qc = useQueryClient();
  const toast = useToast();
  const done = (r: { rescored: number }) => {
    toast(`Method saved; ${r.rescored} risk(s) re-scored`);
    void qc.invalidateQueries({ queryKey: ['risk-method'] });
    void qc.invalidateQueries({ queryKey: ['risks'] });
  };
  const save = useMutation({ mutationFn: () => request<{ rescored: number }>('PUT', '/api/risks/method', m), onSuccess: done });
  const preset = useMutation({ mutationFn: (p: string) => api.post<{ rescored: number }>('/api/risks/method/preset', { preset: p }), onSuccess: done });
  const errors = fieldErrorsOf(save.error);
  const editable = actions.includes('update');
  const levelOpts = m.levels.map((l) => <option key={l.key} value={l.key}>{l.name}</option>);

  const resize = (scale: 'likelihood' | 'impact', n: number) => {
    const cur = m[scale];
    const next: Scale = Array.from({ length: n }, (_, i) => cur[i] ?? { value: i + 1, name: `Level ${i + 1}`, description: 'Describe this level.' });
    const fill = m.levels[0]!.key;
    const matrix = scale === 'likelihood'
      ? Array.from({ length: n }, (_, l) => m.matrix[l] ?? Array.from({ length: m.impact.length }, () => fill))
      : m.matrix.map((row) => Array.from({ length: n }, (_, i) => row[i] ?? fill));
    setM({ ...m, [scale]: next, matrix });
  };
  const scaleEditor = (scale: 'likelihood' | 'impact') => (
    <fieldset className="form-card" disabled={!editable}>
      <legend>{scale === 'likelihood' ? 'Likelihood' : 'Impact'} scale</legend>
      <label>Levels{' '}
        <select value={m[scale].length} onChange={(e) => resize(scale, Number(e.target.value))}>{[3, 4, 5].map((n) => <option key={n}>{n}</option>)}</select>
      </label>
      {m[scale].map((l, i) => (
        <div key={i} className="field">
          <label htmlFor={`${scale}-${i}`}>{l.value}</label>
          <input id={`${scale}-${i}`} value={l.name} aria-label={`${scale} ${l.value} name`} onChange={(e) => setM({ ...m, [scale]: m[scale].map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })} />
          <input value={l.description} aria-label={`${scale} ${l.value} description`} onChange={(e) => setM({ ...m, [scale]: m[scale].map((x, j) => (j === i ? { ...x, description: e.target.value } : x)) })} />
          {errors[`${scale}.${i}.name`] ?? errors[`${scale}.${i}.description`] ? <div className="field-error">{errors[`${scale}.${i}.name`] ?? errors[`${scale}.${i}.description`]}</div> : null}
        </div>
      ))}
    </fieldset>
  );
  return (
    <>
      <h1>Risk method</h1>
      <p className="muted">Version {method.version}{method.saved ? '' : ' (default, not saved yet)'}. Saving re-scores every risk: ratings keep their relative position on resized scales, levels come from the new matrix, and each change is recorded in the risk's history.</p>
      {editable ? (
        <div className="row-actions">
          <button type="button" onClick={() => preset.mutate('iso27005-5x5')}>Use ISO 27005-style 5x5</button>
          <button type="button" onClick={() => preset.mutate('simple-3x3')}>Use simple 3x3</button>
        </div>
      ) : null}
      <ErrorBanner error={save.error ?? preset.error} />
      <fieldset className="form-card" disabled={!editable}>
        <legend>Name, levels, appetite</legend>
        <div className="field"><label htmlFor="m-name">Name</label><input id="m-name" value={m.name} onChange={(e) => setM({ ...m, name: e.target.value })} /></div>
        {m.levels.map((l, i) => (
          <div key={l.key} className="field">
            <label htmlFor={`lvl-${l.key}`}>Level {l.key}</label>
            <input id={`lvl-${l.key}`} value={l.name} onChange={(e) => setM({ ...m, levels: m.levels.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })} />
            <input type="color" aria-label={`Colour of ${l.name}`} value={l.colour} onChange={(e) => setM({ ...m, levels: m.levels.map((x, j) => (j === i ? { ...x, colour: e.target.value } : x)) })} />
          </div>
        ))}
        <div className="field"><label htmlFor="m-app">Appetite (highest level accepted without treatment)</label><select id="m-app" value={m.appetiteLevel} onChange={(e) => setM({ ...m, appetiteLevel: e.target.value })}>{levelOpts}</select></div>
        <div className="field"><label htmlFor="m-tol">Tolerance (highest level tolerated during treatment)</label><select id="m-tol" value={m.toleranceLevel} onChange={(e) => setM({ ...m, toleranceLevel: e.target.value })}>{levelOpts}</select>{errors.toleranceLevel ? <div className="field-error">{errors.toleranceLevel}</div> : null}</div>
      </fieldset>
      {scaleEditor('likelihood')}
      {scaleEditor('impact')}
      <fieldset className="form-card" disabled={!editable}>
        <legend>Matrix (rows: likelihood, columns: impact)</legend>
        <table className="data-table" style={{ width: 'auto' }}>
          <tbody>
            {[...m.likelihood].reverse().map((l) => (
              <tr key={l.value}>
                <th scope="row">{l.value} {l.name}</th>
                {m.impact.map((i) => {
                  const key = m.matrix[l.value - 1]?.[i.value - 1] ?? '';
                  const colour = m.levels.find((x) => x.key === key)?.colour ?? '#999';
                  return (
                    <td key={i.value} style={{ background: colour }}>
                      <select aria-label={`Level at likelihood ${l.value}, impact ${i.value}`} value={key} onChange={(e) => setM({ ...m, matrix: m.matrix.map((row, r) => (r === l.value - 1 ? row.map((c, ci) => (ci === i.value - 1 ? e.target.value : c)) : row)) })}>{levelOpts}</select>
                    </td>
                  );
                })}
              </tr>
            ))}
            <tr><th scope="row" />{m.impact.map((i) => <th key={i.value} scope="col">{i.value} {i.name}</th>)}</tr>
          </tbody>
        </table>
      </fieldset>
      {editable ? <button type="button" className="primary" disabled={save.isPending} onClick={() => save.mutate()}>Save method and re-score</button> : null}
    </>
  );
}
