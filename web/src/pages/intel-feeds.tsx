import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { FeedRow } from '../../../src/domains/taxii/schema.js';
import { TLP_LEVELS } from '../../../src/domains/sharing/schema.js';
import { api } from '../api.js';
import { DataTable } from '../components/data-table.js';
import { ErrorBanner, FormField, SelectField, fieldErrorsOf } from '../components/form-field.js';
import { useToast } from '../components/toast.js';
import { can, useActiveSession } from '../session.js';

const every = (s: number) => (s % 86400 === 0 ? `${s / 86400} d` : s % 3600 === 0 ? `${s / 3600} h` : `${Math.round(s / 60)} min`);

/**
 * Edits one feed: name, URL, credentials (write-only: blank keeps the stored
 * secret, the checkbox removes it) and TLP. A new URL starts the cursor over.
 */
function EditFeedForm({ feed, onDone }: { feed: FeedRow; onDone: (saved: FeedRow | null) => void }) {
  const [form, setForm] = useState({ name: feed.name, url: feed.url, username: feed.username ?? '', secret: '', clearSecret: false, tlp: feed.tlp });
  const save = useMutation({
    mutationFn: () =>
      api.patch<FeedRow>(`/api/intel/feeds/${feed.id}`, {
        name: form.name,
        url: form.url,
        tlp: form.tlp,
        ...(feed.kind === 'taxii' ? { username: form.username || null } : {}),
        ...(form.clearSecret ? { secret: '' } : form.secret ? { secret: form.secret } : {}),
      }),
    onSuccess: (f) => onDone(f),
  });
  const errors = fieldErrorsOf(save.error);
  const ref = useRef<HTMLFormElement>(null);
  // The form opens below the table: bring it into view with the cursor in its first field.
  useEffect(() => {
    ref.current?.scrollIntoView({ block: 'nearest' });
    ref.current?.querySelector('input')?.focus();
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form ref={ref} onSubmit={submit} className="form" aria-label={`Edit ${feed.name}`}>
      <h2>Edit {feed.name}</h2>
      <FormField label="Name" name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} errors={errors} required />
      <FormField label={feed.kind === 'taxii' ? 'Collection URL' : 'Feed URL'} name="url" type="url" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} errors={errors} required hint="Another URL is another collection: it is polled from its beginning at once." />
      {feed.kind === 'taxii' ? <FormField label="User name (HTTP Basic; empty for a bearer token)" name="username" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} errors={errors} autoComplete="off" /> : null}
      <FormField
        label={feed.hasSecret ? 'New password or token' : 'Password or token'}
        name="secret"
        type="password"
        value={form.secret}
        disabled={form.clearSecret}
        onChange={(e) => setForm({ ...form, secret: e.target.value })}
        errors={errors}
        autoComplete="new-password"
        hint={feed.hasSecret ? 'Leave empty to keep the stored one (it is never shown).' : 'Stored sealed; never shown again.'}
      />
      {feed.hasSecret ? (
        <div className="field">
          <label>
            <input type="checkbox" checked={form.clearSecret} onChange={(e) => setForm({ ...form, clearSecret: e.target.checked, secret: '' })} /> Remove the stored credentials
          </label>
        </div>
      ) : null}
      <SelectField label="TLP for objects without a TLP marking" name="tlp" value={form.tlp} onChange={(v) => setForm({ ...form, tlp: v })} options={TLP_LEVELS.map((t) => ({ value: t, label: `TLP:${t.toUpperCase()}` }))} errors={errors} />
      <button type="submit" className="primary" disabled={save.isPending}>Save feed</button>{' '}
      <button type="button" onClick={() => onDone(null)}>Cancel</button>
      <ErrorBanner error={save.error} />
    </form>
  );
}

/**
 * Feeds admin: the org's subscriptions to external TAXII 2.1 collections
 * and MISP feeds, with URL, credentials (write-only), schedule, last run,
 * counts and errors; run one now, pause or resume it, change its schedule,
 * edit its name, URL, credentials and TLP, remove it.
 */
export function FeedsPage() {
  const qc = useQueryClient();
  const toast = useToast();
  const session = useActiveSession();
  const write = can(session, 'intel.import');
  const list = useQuery({ queryKey: ['intel-feeds'], queryFn: () => api.get<FeedRow[]>('/api/intel/feeds') });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['intel-feeds'] });
  const [editing, setEditing] = useState<string | null>(null);
  const [form, setForm] = useState({ kind: 'taxii', name: '', url: '', username: '', secret: '', tlp: 'amber', minutes: '60' });
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  const create = useMutation({
    mutationFn: () =>
      api.post<FeedRow>('/api/intel/feeds', {
        kind: form.kind,
        name: form.name,
        url: form.url,
        ...(form.kind === 'taxii' && form.username ? { username: form.username } : {}),
        ...(form.secret ? { secret: form.secret } : {}),
        tlp: form.tlp,
        intervalSeconds: Math.round(Number(form.minutes) * 60),
      }),
    onSuccess: (f) => {
      setForm({ ...form, name: '', url: '', username: '', secret: '' });
      toast(`Feed ${f.name} added; it runs within five minutes`);
      refresh();
    },
  });
  const run = useMutation({
    mutationFn: (id: string) => api.post<FeedRow>(`/api/intel/feeds/${id}/run`),
    onSuccess: (f) => {
      toast(f.lastStatus === 'ok' ? `${f.name}: ${f.lastFetched ?? 0} fetched, ${f.lastCount ?? 0} new` : `${f.name} failed: ${f.lastError ?? ''}`);
      refresh();
    },
  });
  const patch = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Record<string, unknown> }) => api.patch<FeedRow>(`/api/intel/feeds/${id}`, body),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.delete(`/api/intel/feeds/${id}`),
    onSuccess: refresh,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const errors = fieldErrorsOf(create.error);
  return (
    <>
      <h1>Feeds</h1>
      <p className="muted">External TAXII 2.1 collections and MISP feeds polled on a schedule; what they bring is imported under your organisation with the feed's TLP (an object's own TLP marking wins).</p>
      <ErrorBanner error={list.error ?? run.error ?? patch.error ?? remove.error} />
      <DataTable
        caption="Feeds of your organisation"
        rows={list.data}
        loading={list.isFetching}
        rowKey={(f) => f.id}
        empty="No feeds yet."
        columns={[
          { key: 'name', header: 'Feed', render: (f) => <><strong>{f.name}</strong> <span className="tag">{f.kind.toUpperCase()}</span><div className="muted"><code>{f.url}</code></div></> },
          { key: 'auth', header: 'Credentials', render: (f) => (f.hasSecret ? (f.username ? `Basic as ${f.username}` : 'token') : 'none'), wide: true },
          { key: 'schedule', header: 'Schedule', render: (f) => <>{f.enabled ? `every ${every(f.intervalSeconds)}` : 'paused'}{f.enabled ? <div className="muted">next {new Date(f.nextRunAt).toLocaleString()}</div> : null}</> },
          { key: 'last', header: 'Last run', render: (f) => (f.lastRunAt ? <><time dateTime={f.lastRunAt}>{new Date(f.lastRunAt).toLocaleString()}</time> <span className="tag" data-status={f.lastStatus}>{f.lastStatus}</span>{f.lastError ? <div className="field-error">{f.lastError}</div> : null}</> : <span className="muted">never</span>) },
          { key: 'counts', header: 'Counts', render: (f) => <>{f.lastFetched ?? 0} fetched, {f.lastCount ?? 0} new last run · {f.totalCount} in all</> },
          {
            key: 'actions',
            header: 'Actions',
            render: (f) =>
              write ? (
                <>
                  <button type="button" className="small" disabled={run.isPending} onClick={() => run.mutate(f.id)} aria-label={`Run ${f.name} now`}>Run now</button>{' '}
                  <button type="button" className="small" onClick={() => patch.mutate({ id: f.id, body: { enabled: !f.enabled } })} aria-label={`${f.enabled ? 'Pause' : 'Resume'} ${f.name}`}>{f.enabled ? 'Pause' : 'Resume'}</button>{' '}
                  <label className="sr-only" htmlFor={`interval-${f.id}`}>Schedule of {f.name}</label>
                  <select id={`interval-${f.id}`} value={String(f.intervalSeconds)} onChange={(e) => patch.mutate({ id: f.id, body: { intervalSeconds: Number(e.target.value) } })}>
                    {[...new Set([300, 900, 3600, 6 * 3600, 86400, f.intervalSeconds])].sort((a, b) => a - b).map((s) => <option key={s} value={s}>every {every(s)}</option>)}
                  </select>{' '}
                  <button type="button" className="small" onClick={() => setEditing(f.id)} aria-label={`Edit ${f.name}`}>Edit</button>{' '}
                  <button type="button" className="small" onClick={() => remove.mutate(f.id)} aria-label={`Remove ${f.name}`}>Remove</button>
                </>
              ) : null,
          },
        ]}
      />
      {write && editing && list.data?.some((f) => f.id === editing) ? (
        <EditFeedForm
          key={editing}
          feed={list.data.find((f) => f.id === editing)!}
          onDone={(saved) => {
            setEditing(null);
            if (saved) {
              toast(`Feed ${saved.name} saved`);
              refresh();
            }
          }}
        />
      ) : null}
      {write ? (
        <form onSubmit={submit} className="form" aria-label="Add a feed">
          <h2>Add a feed</h2>
          <SelectField label="Kind" name="kind" value={form.kind} onChange={set('kind')} options={[{ value: 'taxii', label: 'TAXII 2.1 collection' }, { value: 'misp', label: 'MISP feed' }]} errors={errors} />
          <FormField label="Name" name="name" value={form.name} onChange={(e) => set('name')(e.target.value)} errors={errors} required />
          <FormField label={form.kind === 'taxii' ? 'Collection URL' : 'Feed URL (the folder holding manifest.json)'} name="url" type="url" value={form.url} onChange={(e) => set('url')(e.target.value)} errors={errors} required hint={form.kind === 'taxii' ? 'e.g. https://taxii.example/api1/collections/<id>/' : 'e.g. https://misp.example/feeds/community/'} />
          {form.kind === 'taxii' ? <FormField label="User name (HTTP Basic; leave empty for a bearer token)" name="username" value={form.username} onChange={(e) => set('username')(e.target.value)} errors={errors} autoComplete="off" /> : null}
          <FormField label={form.kind === 'taxii' ? 'Password or token' : 'Token (sent as Bearer)'} name="secret" type="password" value={form.secret} onChange={(e) => set('secret')(e.target.value)} errors={errors} autoComplete="new-password" hint="Stored sealed; never shown again." />
          <SelectField label="TLP for objects without a TLP marking" name="tlp" value={form.tlp} onChange={set('tlp')} options={TLP_LEVELS.map((t) => ({ value: t, label: `TLP:${t.toUpperCase()}` }))} errors={errors} />
          <SelectField label="Schedule" name="intervalSeconds" value={form.minutes} onChange={set('minutes')} options={[['5', 'every 5 min'], ['15', 'every 15 min'], ['60', 'every hour'], ['360', 'every 6 h'], ['1440', 'every day']].map(([value, label]) => ({ value: value!, label: label! }))} errors={errors} />
          <button type="submit" className="primary" disabled={create.isPending}>Add feed</button>
          <ErrorBanner error={create.error} />
        </form>
      ) : null}
    </>
  );
}
