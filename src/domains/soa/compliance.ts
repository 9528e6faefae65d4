import { authorize } from '../../core/access/index.js';
import { inTx, type Ctx } from '../../core/context.js';
import type { ImplementationStatus } from '../controls/schema.js';
import { ISO_27001, loadFramework, loadMappings, requirementCoverage, type CatalogRequirement } from '../controls/service.js';
import { SoaActions as A } from './policy.js';
import type { ComplianceOverview, Tally } from './schema.js';
import { buildSoa, combineStatus, derivedStatus } from './service.js';

interface Assessed {
  req: CatalogRequirement;
  applicable: boolean;
  status: ImplementationStatus;
  evidenceValid: number;
  evidenceExpired: number;
  undecided: boolean;
  via: string[];
}

function tally(items: Assessed[]): Tally {
  const applicable = items.filter((a) => a.applicable);
  const implemented = applicable.filter((a) => a.status === 'implemented').length;
  return {
    total: items.length,
    applicable: applicable.length,
    implemented,
    partial: applicable.filter((a) => a.status === 'partial').length,
    percent: applicable.length ? Math.round((1000 * implemented) / applicable.length) / 10 : 0,
  };
}

/**
 * Compliance with any catalog framework, derived without re-entering anything:
 * - ISO/IEC 27001 Annex A: the SoA (decisions, manual or derived status, evidence).
 * - any other framework: each requirement is assessed from the applied
 *   controls mapped to it directly and from the ISO/IEC 27001 controls the
 *   catalog maps it to (their SoA status and evidence; excluded ISO controls
 *   do not count). A requirement whose only mapped ISO controls are all
 *   excluded is not applicable.
 * Percent implemented overall, per catalog group (theme, function, category)
 * and per attribute value, and the gap list (applicable and not implemented,
 * without valid evidence, or with expired evidence). A few aggregate queries;
 * the combination runs over the catalog's requirements, never over evidence rows.
 */
export async function complianceOverview(ctx: Ctx, framework: string): Promise<ComplianceOverview> {
  authorize(ctx.actor, A['soa.read']);
  return inTx(ctx, async (tx) => {
    const iso = await buildSoa(tx, ctx, ISO_27001);
    let assessed: Assessed[];
    let fwName: string;
    let through: string[];
    if (framework === ISO_27001) {
      fwName = iso.framework.name;
      through = ['soa'];
      const reqs = new Map(iso.framework.requirements.map((r) => [r.ref, r]));
      assessed = iso.rows.map((r) => ({
        req: reqs.get(r.ref)!,
        applicable: r.applicable !== false,
        status: r.status,
        evidenceValid: r.evidence.valid,
        evidenceExpired: r.evidence.expired,
        undecided: r.applicable === null,
        via: r.controls.map((c) => c.ref),
      }));
    } else {
      const [fw, direct, mappings] = await Promise.all([loadFramework(tx, framework), requirementCoverage(tx, ctx, [framework]), loadMappings(tx, framework, ISO_27001)]);
      fwName = fw.name;
      through = ['applied_controls', `mapping:${ISO_27001}`];
      const isoRows = new Map(iso.rows.map((r) => [r.ref, r]));
      const cov = new Map(direct.map((c) => [c.ref, c]));
      const mapped = new Map<string, string[]>();
      for (const m of mappings) mapped.set(m.from, [...(mapped.get(m.from) ?? []), m.to]);
      assessed = fw.requirements.map((req) => {
        const c = cov.get(req.ref);
        const isoRefs = (mapped.get(req.ref) ?? []).filter((ref) => isoRows.has(ref));
        const applicableIso = isoRefs.map((ref) => isoRows.get(ref)!).filter((r) => r.applicable !== false);
        const n = (c?.controls ?? 0) + applicableIso.length;
        const implemented = (c?.implemented ?? 0) + applicableIso.filter((r) => r.status === 'implemented').length;
        const partial = (c?.partial ?? 0) + applicableIso.filter((r) => r.status === 'partial').length;
        return {
          req,
          applicable: Boolean(c) || isoRefs.length === 0 || applicableIso.length > 0,
          status: c && applicableIso.length === 0 ? derivedStatus(c) : combineStatus(n, implemented, partial),
          evidenceValid: (c?.evidence_valid ?? 0) + applicableIso.reduce((s, r) => s + r.evidence.valid, 0),
          evidenceExpired: (c?.evidence_expired ?? 0) + applicableIso.reduce((s, r) => s + r.evidence.expired, 0),
          undecided: false,
          via: [...(c?.control_refs ?? []), ...applicableIso.map((r) => r.ref)],
        };
      });
    }
    const groups: ComplianceOverview['groups'] = [];
    const groupMembers = new Map<string, { level: number; ref: string; title: string; items: Assessed[] }>();
    const attrMembers = new Map<string, { type: string; value: string; items: Assessed[] }>();
    for (const a of assessed) {
      a.req.groups.forEach((g, level) => {
        const k = `${level}\u0000${g.ref}`;
        const m = groupMembers.get(k) ?? { level, ref: g.ref, title: g.title, items: [] };
        m.items.push(a);
        groupMembers.set(k, m);
      });
      for (const [type, values] of Object.entries(a.req.attributes)) {
        for (const value of values) {
          const k = `${type}\u0000${value}`;
          const m = attrMembers.get(k) ?? { type, value, items: [] };
          m.items.push(a);
          attrMembers.set(k, m);
        }
      }
    }
    for (const g of groupMembers.values()) groups.push({ level: g.level, ref: g.ref, title: g.title, ...tally(g.items) });
    const gaps: ComplianceOverview['gaps'] = [];
    for (const a of assessed) {
      if (!a.applicable) continue;
      const reasons: string[] = [];
      if (a.undecided) reasons.push('undecided');
      if (a.status !== 'implemented') reasons.push(a.status === 'partial' ? 'partial' : 'not_implemented');
      if (a.evidenceValid === 0) reasons.push('no_evidence');
      if (a.evidenceExpired > 0) reasons.push('expired_evidence');
      if (reasons.length) gaps.push({ ref: a.req.ref, title: a.req.title, group: a.req.groups.at(-1)?.ref ?? null, status: a.status, reasons, via: a.via });
    }
    return {
      framework,
      frameworkName: fwName,
      derivedThrough: through,
      overall: tally(assessed),
      groups,
      attributes: [...attrMembers.values()].map((m) => ({ type: m.type, value: m.value, ...tally(m.items) })).sort((x, y) => x.type.localeCompare(y.type) || x.value.localeCompare(y.value)),
      gaps,
    };
  });
}
