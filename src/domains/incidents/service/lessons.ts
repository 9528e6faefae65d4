import { audit } from '../../../core/audit.js';
import { inTx, type Ctx } from '../../../core/context.js';
import { insertCorrectiveActions } from '../../corrective-actions/service.js';
import type { CorrectiveActionRow } from '../../corrective-actions/schema.js';
import { diffSnapshots, type Change } from '../diff.js';
import { IncidentErrors } from '../errors.js';
import { IncidentActions as A } from '../policy.js';
import { loadIncident } from './access.js';

/** What changed in the report between two submitted stages (by sequence number). */
export async function diffStages(ctx: Ctx, id: string, from: number, to: number): Promise<{ from: number; to: number; changes: Change[] }> {
  return inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.read']);
    const rows = await tx.selectFrom('incident_stages').select(['seq', 'snapshot']).where('org_id', '=', inc.org_id).where('incident_id', '=', inc.id).where('seq', 'in', [from, to]).execute();
    const a = rows.find((r) => r.seq === from);
    const b = rows.find((r) => r.seq === to);
    if (!a || !b) throw IncidentErrors.INCIDENT_STAGE_NOT_FOUND();
    const report = (s: unknown) => (s as { report: unknown }).report;
    return { from, to, changes: diffSnapshots(report(a.snapshot), report(b.snapshot)) };
  });
}

/**
 * After closure the entity records its lessons learned and, in the same
 * transaction, turns them into corrective actions in its own ISMS, each
 * linked back to the incident (source incident/<id>). The CERT never sees
 * them: corrective actions live in the entity's partition only.
 */
export async function recordLessons(
  ctx: Ctx,
  id: string,
  input: { lessonsLearned: string; correctiveActions: Array<{ title: string; description: string; ownerId?: string | null | undefined; dueDate?: string | null | undefined }> },
): Promise<{ lessonsLearned: string; correctiveActions: CorrectiveActionRow[]; riskReviews: [] }> {
  return inTx(ctx, async (tx) => {
    const { inc } = await loadIncident(tx, ctx, id, A['incidents.report'], { side: 'entity', forUpdate: true });
    if (inc.status !== 'closed') throw IncidentErrors.INCIDENT_NOT_CLOSED();
    await tx.updateTable('incidents').set({ lessons_learned: input.lessonsLearned, updated_at: ctx.clock.now() }).where('org_id', '=', inc.org_id).where('id', '=', inc.id).execute();
    await audit(tx, ctx, { action: 'incidents.lessons', entityType: 'incident', entityId: inc.id, before: inc.lessons_learned, after: input.lessonsLearned, details: { correctiveActions: input.correctiveActions.length } });
    const created = await insertCorrectiveActions(
      tx,
      ctx,
      input.correctiveActions.map((a) => ({ title: a.title, description: a.description, source: { type: 'incident' as const, id: inc.id }, ownerId: a.ownerId ?? null, dueDate: a.dueDate ?? null })),
      'body.correctiveActions',
    );
    // Risk reviews need the risks domain (branch isms-b), not merged yet.
    return { lessonsLearned: input.lessonsLearned, correctiveActions: created, riskReviews: [] };
  });
}
