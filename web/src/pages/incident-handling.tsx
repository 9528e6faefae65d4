import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { TRANSITIONS } from '../../../src/domains/incidents/lifecycle.js';
import type { AttachmentRow, IncidentDetail } from '../../../src/domains/incidents/schema.js';
import { api, formatBytes } from '../api.js';
import { ErrorBanner, FormField, fieldErrorsOf, labelOf, SelectField } from '../components/form-field.js';
import { useToast } from '../components/toast.js';
import { useActiveSession } from '../session.js';

type Message = { id: string; fromCert: boolean; authorName: string | null; tlp: string; body: string; createdAt: string };
type Entry = { at: string; kind: string; text: string };
type Stage = { seq: number; stage: string; submittedAt: string };
type Change = { path: string; kind: string; before?: unknown; after?: unknown };
type Task = { id: string; title: string; status: string; dueAt: string | null };
type Note = { id: string; body: string; createdAt: string };
type Corr = { type: string; value: string; incidents: Array<{ id: string; ref: string; orgName: string }> };

const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'].map((t) => ({ value: t, label: `TLP:${t.toUpperCase()}` }));

/** Thread, timeline, stage diffs for both sides; lifecycle, tasks, notes and correlations for the CERT; lessons for the entity. */
export function IncidentHandling({ inc }: { inc: IncidentDetail }) {
  const qc = useQueryClient();
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['incident', inc.id] });
    void qc.invalidateQueries({ queryKey: ['incident-sub', inc.id] });
  };
  return (
    <>
      {inc.side === 'cert' ? <Lifecycle inc={inc} onDone={refresh} /> : null}
      {inc.status !== 'draft' ? <Thread inc={inc} /> : null}
      {inc.side === 'cert' ? <CertOnly inc={inc} /> : null}
      {inc.side === 'entity' && inc.status === 'closed' ? <Lessons inc={inc} /> : null}
      <Attachments inc={inc} />
      <Stages inc={inc} />
      <Timeline inc={inc} />
    </>
  );
}

function Lifecycle({ inc, onDone }: { inc: IncidentDetail; onDone: () => void }) {
  const session = useActiveSession();
  const toast = useToast();
  const [reason, setReason] = useState('');
  const move = useMutation({ mutationFn: (to: string) => api.post(`/api/incidents/${inc.id}/transition`, { to, reason }), onSuccess: (_r, to) => { toast(`Moved to ${labelOf(to)}`); setReason(''); onDone(); } });
  const assign = useMutation({ mutationFn: () => api.post(`/api/incidents/${inc.id}/assign`, { assigneeId: session.user.id }), onSuccess: () => { toast('Assigned to you'); onDone(); } });
  return (
    <section aria-label="Handling">
      <h2>Handling</h2>
      <ErrorBanner error={move.error ?? assign.error} />
      <p>{inc.assigneeId === session.user.id ? 'Assigned to you.' : <button type="button" onClick={() => assign.mutate()}>Assign to me</button>}</p>
      <FormField label="Reason (optional)" name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
      <p className="row-actions">
        {TRANSITIONS[inc.status].map((to) => (
          <button key={to} type="button" onClick={() => move.mutate(to)} disabled={move.isPending}>Move to {labelOf(to)}</button>
        ))}
      </p>
    </section>
  );
}

function Thread({ inc }: { inc: IncidentDetail }) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['incident-sub', inc.id, 'messages'], queryFn: () => api.get<Message[]>(`/api/incidents/${inc.id}/messages`) });
  const [body, setBody] = useState('');
  const [tlp, setTlp] = useState('amber');
  const send = useMutation({ mutationFn: () => api.post(`/api/incidents/${inc.id}/messages`, { body, tlp }), onSuccess: () => { setBody(''); void qc.invalidateQueries({ queryKey: ['incident-sub', inc.id] }); } });
  return (
    <section aria-label="Thread">
      <h2>Thread with {inc.side === 'cert' ? inc.orgName : 'the CERT'}</h2>
      <ol className="thread">
        {list.data?.map((m) => (
          <li key={m.id} className={m.fromCert ? 'from-cert' : 'from-entity'}>
            <span className="tag">TLP:{m.tlp.toUpperCase()}</span> <strong>{m.fromCert ? 'CERT' : inc.orgName}</strong> {m.authorName} · {new Date(m.createdAt).toLocaleString()}
            <p>{m.body}</p>
          </li>
        ))}
      </ol>
      <ErrorBanner error={send.error} />
      <div className="field">
        <label htmlFor="message">Message</label>
        <textarea id="message" value={body} onChange={(e) => setBody(e.target.value)} />
      </div>
      <SelectField label="Message TLP" name="tlp" value={tlp} onChange={setTlp} options={TLPS} />
      <button type="button" className="primary" disabled={!body.trim() || send.isPending} onClick={() => send.mutate()}>Send message</button>
    </section>
  );
}

function CertOnly({ inc }: { inc: IncidentDetail }) {
  const qc = useQueryClient();
  const tasks = useQuery({ queryKey: ['incident-sub', inc.id, 'tasks'], queryFn: () => api.get<Task[]>(`/api/incidents/${inc.id}/tasks`) });
  const notes = useQuery({ queryKey: ['incident-sub', inc.id, 'notes'], queryFn: () => api.get<Note[]>(`/api/incidents/${inc.id}/notes`) });
  const corr = useQuery({ queryKey: ['incident-sub', inc.id, 'corr'], queryFn: () => api.get<Corr[]>(`/api/incidents/${inc.id}/correlations`) });
  const [task, setTask] = useState('');
  const [note, setNote] = useState('');
  const inv = () => void qc.invalidateQueries({ queryKey: ['incident-sub', inc.id] });
  const addTask = useMutation({ mutationFn: () => api.post(`/api/incidents/${inc.id}/tasks`, { title: task }), onSuccess: () => { setTask(''); inv(); } });
  const doneTask = useMutation({ mutationFn: (id: string) => api.patch(`/api/incidents/${inc.id}/tasks/${id}`, { status: 'done' }), onSuccess: inv });
  const addNote = useMutation({ mutationFn: () => api.post(`/api/incidents/${inc.id}/notes`, { body: note }), onSuccess: () => { setNote(''); inv(); } });
  return (
    <>
      <section aria-label="Tasks">
        <h2>Tasks</h2>
        <ul>{tasks.data?.map((t) => <li key={t.id}>{t.title} <span className="tag">{labelOf(t.status)}</span> {t.status !== 'done' ? <button type="button" className="small" onClick={() => doneTask.mutate(t.id)}>Done</button> : null}</li>)}</ul>
        <ErrorBanner error={addTask.error} />
        <FormField label="New task" name="task" value={task} onChange={(e) => setTask(e.target.value)} />
        <button type="button" disabled={!task.trim()} onClick={() => addTask.mutate()}>Add task</button>
      </section>
      <section aria-label="Internal notes">
        <h2>Internal notes <span className="muted">(CERT only)</span></h2>
        <ul>{notes.data?.map((n) => <li key={n.id}>{new Date(n.createdAt).toLocaleString()}: {n.body}</li>)}</ul>
        <ErrorBanner error={addNote.error} />
        <FormField label="New note" name="note" value={note} onChange={(e) => setNote(e.target.value)} />
        <button type="button" disabled={!note.trim()} onClick={() => addNote.mutate()}>Add note</button>
      </section>
      <section aria-label="Correlations">
        <h2>Shared observables</h2>
        {corr.data?.length ? <ul>{corr.data.map((c) => <li key={`${c.type}:${c.value}`}><code>{c.type}</code> {c.value}: {c.incidents.map((i) => `${i.ref} (${i.orgName})`).join(', ')}</li>)}</ul> : <p className="muted">No other incident shares an observable.</p>}
      </section>
    </>
  );
}

function Lessons({ inc }: { inc: IncidentDetail }) {
  const toast = useToast();
  const [text, setText] = useState(inc.lessonsLearned ?? '');
  const [actions, setActions] = useState('');
  const save = useMutation({
    mutationFn: () => api.post<{ correctiveActions: unknown[] }>(`/api/incidents/${inc.id}/lessons`, { lessonsLearned: text, correctiveActions: actions.split('\n').map((s) => s.trim()).filter(Boolean).map((title) => ({ title })) }),
    onSuccess: (r) => toast(`Lessons saved; ${r.correctiveActions.length} corrective action(s) created`),
  });
  return (
    <section aria-label="Lessons learned">
      <h2>Lessons learned</h2>
      <ErrorBanner error={save.error} />
      <div className="field"><label htmlFor="lessons">Lessons learned</label><textarea id="lessons" value={text} onChange={(e) => setText(e.target.value)} /></div>
      <div className="field"><label htmlFor="cas">Corrective actions (one per line)</label><textarea id="cas" value={actions} onChange={(e) => setActions(e.target.value)} /></div>
      <button type="button" className="primary" disabled={!text.trim()} onClick={() => save.mutate()}>Save and create corrective actions</button>
    </section>
  );
}

/**
 * Files attached to the report. The entity adds and removes them on its
 * working copy (the next submitted stage lists them by sha256); the CERT
 * sees and downloads what submitted stages list. Downloads are attachments.
 */
function Attachments({ inc }: { inc: IncidentDetail }) {
  const qc = useQueryClient();
  const toast = useToast();
  const entity = inc.side === 'entity';
  const writable = entity && inc.status !== 'closed' && inc.status !== 'rejected' && inc.actions.includes('incidents.report');
  const list = useQuery({ queryKey: ['incident-sub', inc.id, 'attachments', inc.updatedAt], queryFn: () => api.get<AttachmentRow[]>(`/api/incidents/${inc.id}/attachments`) });
  const [file, setFile] = useState<File | null>(null);
  const [description, setDescription] = useState('');
  const [inputKey, setInputKey] = useState(0);
  const inv = () => void qc.invalidateQueries({ queryKey: ['incident-sub', inc.id] });
  const add = useMutation({
    mutationFn: () => api.upload<AttachmentRow>(`/api/incidents/${inc.id}/attachments`, file!, { description }),
    onSuccess: (a) => { toast(`Attached ${a.filename}`); setFile(null); setDescription(''); setInputKey((k) => k + 1); inv(); },
  });
  const remove = useMutation({ mutationFn: (aid: string) => api.delete(`/api/incidents/${inc.id}/attachments/${aid}`), onSuccess: () => { toast('Removed from the report (submitted stages keep it)'); inv(); } });
  if (!entity && !list.data?.length) return null;
  return (
    <section aria-label="Attachments">
      <h2>Attachments</h2>
      <p className="muted">{entity ? 'Listed, with their sha256, in the next stage you submit.' : 'Files listed in the submitted stages.'}</p>
      <ErrorBanner error={list.error ?? remove.error} />
      {list.data?.length ? (
        <ul>
          {list.data.map((a) => (
            <li key={a.id}>
              <a href={`/api/incidents/${inc.id}/attachments/${a.id}/file`} download={a.filename}>{a.filename}</a>{' '}
              <span className="muted">{formatBytes(a.size)} · {a.mediaType} · sha256 <code>{a.sha256.slice(0, 16)}…</code>{a.description ? ` · ${a.description}` : ''}</span>{' '}
              {writable ? <button type="button" className="small" onClick={() => remove.mutate(a.id)}>Remove</button> : null}
            </li>
          ))}
        </ul>
      ) : <p className="muted">No attachments.</p>}
      {writable ? (
        <form onSubmit={(e) => { e.preventDefault(); if (file) add.mutate(); }}>
          <ErrorBanner error={add.error} />
          <div className="field">
            <label htmlFor="attachment-file">File</label>
            <input key={inputKey} id="attachment-file" name="file" type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </div>
          <FormField label="Description (optional)" name="description" value={description} onChange={(e) => setDescription(e.target.value)} errors={fieldErrorsOf(add.error)} />
          <button type="submit" disabled={!file || add.isPending}>Attach file</button>
        </form>
      ) : null}
    </section>
  );
}

function Stages({ inc }: { inc: IncidentDetail }) {
  const stages = useQuery({ queryKey: ['incident-sub', inc.id, 'stages', inc.lastStage, inc.updatedAt], queryFn: () => api.get<Stage[]>(`/api/incidents/${inc.id}/stages`) });
  const [pair, setPair] = useState<[number, number] | null>(null);
  const diff = useQuery({ queryKey: ['incident-sub', inc.id, 'diff', pair], enabled: pair !== null, queryFn: () => api.get<{ changes: Change[] }>(`/api/incidents/${inc.id}/diff`, { from: pair![0], to: pair![1] }) });
  if (!stages.data?.length) return null;
  return (
    <section aria-label="Submitted stages">
      <h2>Submitted stages</h2>
      <ol>
        {stages.data.map((s, i) => (
          <li key={s.seq}>#{s.seq} {labelOf(s.stage)} · {new Date(s.submittedAt).toLocaleString()} {i > 0 ? <button type="button" className="small" onClick={() => setPair([stages.data[i - 1]!.seq, s.seq])}>What changed</button> : null}</li>
        ))}
      </ol>
      {diff.data ? <ul aria-label="Changes">{diff.data.changes.map((c, i) => <li key={i}><code>{c.kind}</code> {c.path}: {JSON.stringify(c.before ?? null)} → {JSON.stringify(c.after ?? null)}</li>)}</ul> : null}
    </section>
  );
}

function Timeline({ inc }: { inc: IncidentDetail }) {
  const tl = useQuery({ queryKey: ['incident-sub', inc.id, 'timeline', inc.updatedAt], queryFn: () => api.get<Entry[]>(`/api/incidents/${inc.id}/timeline`) });
  return (
    <section aria-label="Timeline">
      <h2>Timeline</h2>
      <ol>{tl.data?.map((e, i) => <li key={i}>{new Date(e.at).toLocaleString()} <span className="tag">{e.kind}</span> {e.text}</li>)}</ol>
    </section>
  );
}
