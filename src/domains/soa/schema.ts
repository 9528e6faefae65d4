import { z } from 'zod';
import { Page } from '../../core/paging.js';
import { ImplementationStatus } from '../controls/schema.js';

export const Framework = z.string().trim().min(1).max(100);
const UserRef = z.object({ id: z.string().uuid(), displayName: z.string() });

export const SoaQuery = Page.extend({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  framework: Framework.default('iso27001-2022'),
  q: z.string().trim().max(200).optional(),
  /** yes, no, or undecided (no decision recorded yet). */
  applicable: z.enum(['yes', 'no', 'undecided']).optional(),
  status: ImplementationStatus.optional(),
  /** A group ref, e.g. "A.8" (technological controls). */
  group: z.string().trim().max(100).optional(),
  ownerId: z.string().uuid().optional(),
  /** Attribute filter "type:value", e.g. "control_type:detective". */
  attribute: z.string().trim().max(200).regex(/^[a-z0-9_]+:[A-Za-z0-9_ -]+$/, 'type:value').optional(),
  /** Only entries with a gap (applicable and not implemented, or without valid evidence). */
  gaps: z.enum(['true', 'false']).optional(),
});
export type SoaQuery = z.infer<typeof SoaQuery>;

export const SoaRiskLink = z.object({ riskId: z.string().uuid(), riskRef: z.string(), riskTitle: z.string(), taskId: z.string().uuid(), taskTitle: z.string(), taskStatus: z.string() });

export const SoaRow = z.object({
  framework: z.string(),
  ref: z.string(),
  title: z.string(),
  group: z.object({ ref: z.string(), title: z.string() }).nullable(),
  attributes: z.record(z.string(), z.array(z.string())),
  /** null: no decision recorded yet. */
  applicable: z.boolean().nullable(),
  justification: z.string(),
  status: ImplementationStatus,
  /** derived: from the applied controls mapped to the requirement; manual: set on the entry. */
  statusSource: z.enum(['derived', 'manual']),
  derivedStatus: ImplementationStatus,
  owner: UserRef.nullable(),
  controls: z.array(z.object({ ref: z.string() })),
  evidence: z.object({ total: z.number().int(), valid: z.number().int(), expired: z.number().int() }),
  risks: z.array(SoaRiskLink),
  gaps: z.array(z.enum(['undecided', 'not_implemented', 'partial', 'no_evidence', 'expired_evidence'])),
  updatedAt: z.string().nullable(),
  updatedBy: UserRef.nullable(),
});
export type SoaRow = z.infer<typeof SoaRow>;

export const SoaSummary = z.object({
  framework: z.string(),
  frameworkName: z.string(),
  total: z.number().int(),
  decided: z.number().int(),
  applicable: z.number().int(),
  excluded: z.number().int(),
  implemented: z.number().int(),
  partial: z.number().int(),
  notStarted: z.number().int(),
  latestVersion: z.object({ version: z.number().int(), approvedAt: z.string(), approvedBy: UserRef }).nullable(),
  /** Whether the current SoA differs from the latest approved version. */
  changedSinceApproval: z.boolean(),
  actions: z.array(z.string()),
});
export type SoaSummary = z.infer<typeof SoaSummary>;

export const SoaPage = z.object({ items: z.array(SoaRow), total: z.number().int(), limit: z.number().int(), offset: z.number().int(), summary: SoaSummary });

export const SoaEntryBody = z.strictObject({
  applicable: z.boolean(),
  /** Why the control is included or excluded: required either way. */
  justification: z.string().trim().min(1, 'a justification is required for inclusion or exclusion').max(4000),
  /** "derived" (default): from the mapped applied controls; or set by hand. */
  status: z.enum(['derived', 'not_started', 'partial', 'implemented']).default('derived'),
  ownerId: z.string().uuid().nullable().optional(),
});
export type SoaEntryInput = z.infer<typeof SoaEntryBody>;

export const SoaBulkBody = z.strictObject({
  framework: Framework.default('iso27001-2022'),
  refs: z.array(z.string().trim().min(1).max(100)).min(1).max(2000),
  applicable: z.boolean(),
  justification: z.string().trim().min(1, 'a justification is required for inclusion or exclusion').max(4000),
});

export const ApproveBody = z.strictObject({ framework: Framework.default('iso27001-2022'), note: z.string().max(2000).optional() });

/** One control as frozen in an approved version. */
export const SnapshotRow = z.object({
  ref: z.string(),
  title: z.string(),
  applicable: z.boolean().nullable(),
  justification: z.string(),
  status: ImplementationStatus,
  owner: z.string().nullable(),
  controls: z.array(z.string()),
  evidence: z.array(z.string()),
  risks: z.array(z.string()),
});
export type SnapshotRow = z.infer<typeof SnapshotRow>;

export const VersionRow = z.object({
  framework: z.string(),
  version: z.number().int(),
  approvedBy: UserRef,
  approvedAt: z.string(),
  note: z.string(),
  digest: z.string(),
  counts: z.object({ total: z.number().int(), applicable: z.number().int(), implemented: z.number().int() }),
});
export type VersionRow = z.infer<typeof VersionRow>;
export const VersionDetail = VersionRow.extend({ rows: z.array(SnapshotRow) });
export type VersionDetail = z.infer<typeof VersionDetail>;

export const VersionsQuery = z.object({ framework: Framework.default('iso27001-2022') });
export const VersionParams = z.object({ version: z.coerce.number().int().min(1) });

export const CompareQuery = z.object({
  framework: Framework.default('iso27001-2022'),
  from: z.coerce.number().int().min(1),
  /** A version number, or "current" for the SoA as it stands. */
  to: z.union([z.literal('current'), z.coerce.number().int().min(1)]).default('current'),
});
export const Comparison = z.object({
  framework: z.string(),
  from: z.number().int(),
  to: z.union([z.number().int(), z.literal('current')]),
  changed: z.array(z.object({ ref: z.string(), title: z.string(), changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })) })),
  unchanged: z.number().int(),
});
export type Comparison = z.infer<typeof Comparison>;

export const ExportQuery = z.object({
  framework: Framework.default('iso27001-2022'),
  format: z.enum(['xlsx', 'pdf', 'oscal']),
  /** An approved version; the current SoA when absent. */
  version: z.coerce.number().int().min(1).optional(),
});

const Pct = z.number();
const Tally = z.object({ total: z.number().int(), applicable: z.number().int(), implemented: z.number().int(), partial: z.number().int(), percent: Pct });

export const ComplianceOverview = z.object({
  framework: z.string(),
  frameworkName: z.string(),
  /** How the status was obtained: the SoA itself (ISO 27001), or applied controls and catalog mappings to the SoA framework. */
  derivedThrough: z.array(z.string()),
  overall: Tally,
  groups: z.array(Tally.extend({ level: z.number().int(), ref: z.string(), title: z.string() })),
  attributes: z.array(Tally.extend({ type: z.string(), value: z.string() })),
  gaps: z.array(z.object({ ref: z.string(), title: z.string(), group: z.string().nullable(), status: ImplementationStatus, reasons: z.array(z.string()), via: z.array(z.string()) })),
});
export type ComplianceOverview = z.infer<typeof ComplianceOverview>;
export type Tally = z.infer<typeof Tally>;
