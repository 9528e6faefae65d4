import { v5 as uuidv5 } from 'uuid';
import { authorize } from '../../core/access/index.js';
import { inTx, type Ctx } from '../../core/context.js';
import { controlsForFramework, requirementEvidence } from '../controls/service.js';
import { SoaActions as A } from './policy.js';
import * as repo from './repo.js';
import { buildSoa } from './service.js';

/** Namespace for the deterministic (v5) UUIDs of exported objects: the same control gets the same UUID in every export. */
const NS = 'f1d3b7a0-5c2e-5e9b-9a41-6d2c0b8e7a13';
const PROP_NS = 'https://muhafiz.org/ns/oscal';
export const OSCAL_VERSION = '1.1.2';

const STATE = { implemented: 'implemented', partial: 'partial', not_started: 'planned' } as const;

/** A stable UUID for `parts` within one org. */
function id(orgId: string, ...parts: string[]): string {
  return uuidv5([orgId, ...parts].join('|'), NS);
}

/** OSCAL control ids are tokens (letters, digits, . - _); catalog refs already are. */
function controlId(ref: string): string {
  return ref.replace(/[^\p{L}\p{N}._-]/gu, '_');
}

/**
 * The org's implementation as an OSCAL 1.1.2 system security plan: the ISMS
 * is "this system", each applied control a component, and the
 * control-implementation has one implemented-requirement per SoA control
 * (all of them, excluded ones marked not-applicable with their
 * justification), by component with its status. Evidence items are back-matter
 * resources (files with their sha-256) linked from the requirements they support.
 */
export async function soaOscalSsp(ctx: Ctx, orgName: string, framework: string): Promise<Record<string, unknown>> {
  authorize(ctx.actor, A['soa.read']);
  return inTx(ctx, async (tx) => {
    const org = ctx.actor.orgId;
    const s = await buildSoa(tx, ctx, framework);
    const [controls, evidence, latest] = await Promise.all([
      controlsForFramework(tx, ctx, framework),
      requirementEvidence(tx, ctx, framework),
      repo.selectVersions(tx, org, framework).orderBy('v.version', 'desc').limit(1).executeTakeFirst(),
    ]);
    const now = ctx.clock.now().toISOString();
    const systemUuid = id(org, 'system');
    const catalogUuid = id(org, 'catalog', framework);
    const byRef = new Map(controls.map((c) => [c.ref, c]));
    const resources = new Map<string, Record<string, unknown>>();
    resources.set(catalogUuid, { uuid: catalogUuid, title: s.framework.name, description: `The ${s.framework.name} catalog (framework key ${framework}) this plan implements.`, props: [{ name: 'framework', ns: PROP_NS, value: framework }] });
    for (const list of evidence.values()) {
      for (const e of list) {
        const u = id(org, 'evidence', e.id);
        if (resources.has(u)) continue;
        const rlink =
          e.kind === 'link'
            ? { href: e.url! }
            : { href: `/api/evidence/${e.id}/file`, ...(e.media_type ? { 'media-type': e.media_type } : {}), hashes: [{ algorithm: 'SHA-256', value: e.sha256! }] };
        resources.set(u, {
          uuid: u,
          title: `${e.ref} ${e.title}`,
          props: [
            { name: 'evidence-state', ns: PROP_NS, value: e.state },
            ...(e.valid_until ? [{ name: 'valid-until', ns: PROP_NS, value: e.valid_until }] : []),
          ],
          rlinks: [rlink],
        });
      }
    }
    const implemented = s.rows.map((r) => {
      const ev = evidence.get(r.ref) ?? [];
      const applicable = r.applicable !== false;
      const byComponents = [
        {
          'component-uuid': systemUuid,
          uuid: id(org, 'soa', framework, r.ref),
          description: r.justification || 'No applicability decision recorded yet.',
          'implementation-status': { state: applicable ? STATE[r.status] : 'not-applicable' },
        },
        ...r.controls.map((c) => {
          const ac = byRef.get(c.ref);
          return {
            'component-uuid': id(org, 'control', c.ref),
            uuid: id(org, 'by-component', framework, r.ref, c.ref),
            description: ac?.description || ac?.name || c.ref,
            'implementation-status': { state: ac ? STATE[ac.status] : 'planned' },
          };
        }),
      ];
      return {
        uuid: id(org, 'requirement', framework, r.ref),
        'control-id': controlId(r.ref),
        props: [
          { name: 'applicable', ns: PROP_NS, value: r.applicable === null ? 'undecided' : r.applicable ? 'yes' : 'no' },
          { name: 'implementation-status', ns: PROP_NS, value: r.status },
          { name: 'status-source', ns: PROP_NS, value: r.statusSource },
        ],
        ...(ev.length ? { links: ev.map((e) => ({ href: `#${id(org, 'evidence', e.id)}`, rel: 'evidence', text: `${e.ref} ${e.title}` })) } : {}),
        ...(r.owner ? { remarks: `Owner: ${r.owner.displayName}` } : {}),
        'by-components': byComponents,
      };
    });
    return {
      'system-security-plan': {
        uuid: id(org, 'ssp', framework, now),
        metadata: {
          title: `${orgName}: implementation of ${s.framework.name} (Statement of Applicability)`,
          'last-modified': now,
          version: latest ? `soa-v${latest.version}` : 'soa-draft',
          'oscal-version': OSCAL_VERSION,
          ...(latest ? { remarks: `Latest approved SoA version ${latest.version}, approved by ${latest.approver_name} on ${latest.approved_at.toISOString().slice(0, 10)}.` } : {}),
        },
        'import-profile': { href: `#${catalogUuid}` },
        'system-characteristics': {
          'system-ids': [{ 'identifier-type': 'https://ietf.org/rfc/rfc4122', id: systemUuid }],
          'system-name': `${orgName} ISMS`,
          description: `The information security management system of ${orgName}, within the scope of its ISO/IEC 27001 certification.`,
          'system-information': {
            'information-types': [
              {
                uuid: id(org, 'information-type'),
                title: 'Information within the ISMS scope',
                description: 'All information the organisation processes within the scope of its ISMS (see the asset inventory).',
                'confidentiality-impact': { base: 'fips-199-moderate' },
                'integrity-impact': { base: 'fips-199-moderate' },
                'availability-impact': { base: 'fips-199-moderate' },
              },
            ],
          },
          status: { state: 'operational' },
          'authorization-boundary': { description: `The scope of the ISMS of ${orgName} as stated in its Statement of Applicability.` },
        },
        'system-implementation': {
          users: [{ uuid: id(org, 'user', 'isms-manager'), title: 'ISMS manager', 'role-ids': ['isms-manager'] }],
          components: [
            { uuid: systemUuid, type: 'this-system', title: `${orgName} ISMS`, description: 'The organisation as a whole: SoA decisions and their justifications.', status: { state: 'operational' } },
            ...controls.map((c) => ({
              uuid: id(org, 'control', c.ref),
              type: 'process-procedure',
              title: `${c.ref} ${c.name}`,
              description: c.description || c.name,
              props: [{ name: 'implementation-status', ns: PROP_NS, value: c.status }, ...(c.frequency ? [{ name: 'check-frequency', ns: PROP_NS, value: c.frequency }] : [])],
              status: { state: c.status === 'implemented' ? 'operational' : 'under-development' },
            })),
          ],
        },
        'control-implementation': {
          description: `How ${orgName} implements each control of ${s.framework.name}, as recorded in its Statement of Applicability.`,
          'implemented-requirements': implemented,
        },
        'back-matter': { resources: [...resources.values()] },
      },
    };
  });
}
