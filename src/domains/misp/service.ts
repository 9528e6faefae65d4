import { createHash } from 'node:crypto';
import { authorize } from '../../core/access/index.js';
import { inTx, type Ctx } from '../../core/context.js';
import { defineErrors } from '../../core/errors.js';
import type { Mailer } from '../../core/mail.js';
import { importObjects, type ImportResult } from '../intel/imports.js';
import { observablesOfPattern } from '../intel/pattern/observables.js';
import { parsePattern } from '../intel/pattern/parser.js';
import { IntelActions } from '../intel/policy.js';
import type { Tlp } from '../intel/stix-model.js';
import { orgGroupIds } from '../sharing/service.js';
import { eventToStix, stixToEvent, type MispEvent } from './mapping.js';
import '../intel/tables.js';

export const MispErrors = defineErrors({
  MISP_EVENT_INVALID: { status: 400, message: 'This is not a MISP event (expected {"Event": {...}} with uuid and info)' },
  MISP_EVENT_NOT_FOUND: { status: 404, message: 'MISP event not found' },
  MISP_FEED_FAILED: { status: 502, message: 'The MISP feed could not be read' },
});

/** Audiences a MISP feed is published for: the community (CLEAR/GREEN) or everything the reader may see. */
export type FeedAudience = 'community' | 'all';

function unwrap(json: unknown): MispEvent {
  const e = (json && typeof json === 'object' && 'Event' in json ? (json as { Event: unknown }).Event : json) as MispEvent | undefined;
  if (!e || typeof e !== 'object' || typeof e.uuid !== 'string' || typeof e.info !== 'string') throw MispErrors.MISP_EVENT_INVALID();
  return e;
}

/**
 * Imports one MISP event under the acting org: the event becomes a report,
 * correlatable attributes become indicators (correlated like any import);
 * the `tlp:` tag or the distribution gives the TLP; distribution 4 with a
 * sharing group this org runs or belongs to (same uuid) shares with it.
 */
export async function importEvent(ctx: Ctx, json: unknown, opts: { source?: string; mailer?: Mailer | undefined; tlp?: Tlp } = {}): Promise<ImportResult & { tlp: Tlp }> {
  authorize(ctx.actor, IntelActions['intel.import']);
  const e = unwrap(json);
  const { objects, tlp: eventTlp } = eventToStix(e);
  const tlp = opts.tlp ?? eventTlp;
  let groups: string[] = [];
  if (e.distribution === '4' && e.SharingGroup?.uuid && tlp === 'amber') {
    const mine = await inTx(ctx, (tx) => orgGroupIds(tx, ctx.actor.orgId));
    if (mine.includes(e.SharingGroup.uuid)) groups = [e.SharingGroup.uuid];
  }
  const r = await importObjects(ctx, objects, { source: opts.source ?? 'misp', sharing: { tlp, recipientOrgs: [], recipientUsers: [], sharingGroups: groups }, mailer: opts.mailer });
  return { ...r, tlp };
}

function observablesOf(pattern: string) {
  try {
    return observablesOfPattern(parsePattern(pattern));
  } catch {
    return [];
  }
}

/** One event (a report and its indicators) as MISP event JSON, from what the acting org may see. */
export async function exportEvent(ctx: Ctx, uuid: string, audience: FeedAudience = 'all'): Promise<{ Event: MispEvent }> {
  authorize(ctx.actor, IntelActions['intel.read']);
  return inTx(ctx, async (tx) => {
    let q = tx.selectFrom('stix_objects').select(['doc', 'tlp']).where('stix_id', '=', `report--${uuid}`).where('is_latest', '=', true);
    if (audience === 'community') q = q.where('tlp', 'in', ['clear', 'green']);
    const report = await q.orderBy('modified', 'desc').executeTakeFirst();
    if (!report) throw MispErrors.MISP_EVENT_NOT_FOUND();
    const refs = ((report.doc.object_refs as string[] | undefined) ?? []).filter((r) => r.startsWith('indicator--'));
    let iq = tx.selectFrom('stix_objects').select('doc').distinctOn('stix_id').where('stix_id', 'in', refs.length ? refs : ['-']).where('is_latest', '=', true);
    if (audience === 'community') iq = iq.where('tlp', 'in', ['clear', 'green']);
    const indicators = await iq.orderBy('stix_id').orderBy('modified', 'desc').execute();
    return { Event: stixToEvent(report.doc, indicators.map((i) => i.doc), report.tlp, observablesOf) };
  });
}

/** The feed's manifest.json: one entry per event (report) in the audience the reader may see. */
export async function feedManifest(ctx: Ctx, audience: FeedAudience): Promise<Record<string, unknown>> {
  authorize(ctx.actor, IntelActions['intel.read']);
  const rows = await inTx(ctx, (tx) => {
    let q = tx.selectFrom('stix_objects').select(['stix_id', 'doc', 'tlp']).distinctOn('stix_id').where('type', '=', 'report').where('is_latest', '=', true).where('revoked', '=', false);
    if (audience === 'community') q = q.where('tlp', 'in', ['clear', 'green']);
    return q.orderBy('stix_id').orderBy('modified', 'desc').execute();
  });
  const out: Record<string, unknown> = {};
  for (const r of rows) {
    const uuid = r.stix_id.slice('report--'.length);
    const ev = stixToEvent(r.doc, [], r.tlp, observablesOf);
    out[uuid] = { info: ev.info, date: ev.date, timestamp: ev.timestamp, analysis: ev.analysis, threat_level_id: ev.threat_level_id, Tag: ev.Tag };
  }
  return out;
}

/** The feed's hashes.csv: md5 of each attribute value and its event uuid (MISP's fast lookup file). */
export async function feedHashes(ctx: Ctx, audience: FeedAudience): Promise<string> {
  const manifest = await feedManifest(ctx, audience);
  const lines: string[] = [];
  for (const uuid of Object.keys(manifest)) {
    const { Event } = await exportEvent(ctx, uuid, audience);
    for (const a of Event.Attribute ?? []) lines.push(`${createHash('md5').update(a.value).digest('hex')},${uuid}`);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/**
 * Pulls a MISP feed (manifest.json, then each event file) and imports every
 * event under the acting org with the feed's provenance. Nothing is held
 * open while fetching; each event is its own all-or-nothing import. With
 * `since` (a MISP timestamp, seconds), events whose manifest timestamp is
 * not newer are skipped; `cursor` is the newest timestamp pulled.
 */
export async function pullFeedEvents(
  ctx: Ctx,
  url: string,
  opts: { token?: string | undefined; tlp?: Tlp | undefined; mailer?: Mailer | undefined; since?: string | null | undefined; source?: string | undefined },
): Promise<{ events: number; inserted: number; cursor: string | null }> {
  authorize(ctx.actor, IntelActions['intel.import']);
  const base = url.endsWith('/') ? url : `${url}/`;
  const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw MispErrors.MISP_FEED_FAILED(`HTTP ${res.status} for ${path}`);
    return res.json() as Promise<unknown>;
  };
  const manifest = (await get('manifest.json')) as Record<string, { timestamp?: string | number } | undefined>;
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) throw MispErrors.MISP_FEED_FAILED('manifest.json is not an object of events');
  const since = opts.since ? Number(opts.since) : null;
  let cursor = opts.since ?? null;
  let inserted = 0;
  let events = 0;
  for (const [uuid, entry] of Object.entries(manifest)) {
    if (!/^[0-9a-f-]{36}$/i.test(uuid)) continue;
    const ts = entry?.timestamp === undefined ? null : Number(entry.timestamp);
    if (since !== null && ts !== null && Number.isFinite(ts) && ts <= since) continue;
    const ev = await get(`${uuid}.json`);
    const r = await importEvent(ctx, ev, { source: opts.source ?? `misp-feed:${new URL(base).host}`, mailer: opts.mailer, ...(opts.tlp ? { tlp: opts.tlp } : {}) });
    inserted += r.inserted;
    events++;
    if (ts !== null && Number.isFinite(ts) && (cursor === null || ts > Number(cursor))) cursor = String(ts);
  }
  return { events, inserted, cursor };
}

/** Pulls a MISP feed now, whole (the on-demand pull). */
export async function pullFeed(ctx: Ctx, url: string, opts: { token?: string | undefined; tlp?: Tlp | undefined; mailer?: Mailer | undefined }): Promise<{ events: number; inserted: number }> {
  const { events, inserted } = await pullFeedEvents(ctx, url, opts);
  return { events, inserted };
}
