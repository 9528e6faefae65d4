import type { Tx } from '../../core/context.js';
import type { Json, Timestamp } from '../../db/types.js';
import type { ImplementationStatus } from '../controls/schema.js';
import type { SnapshotRow } from './schema.js';

export interface SoaEntriesTable {
  org_id: string;
  framework_key: string;
  ref: string;
  applicable: boolean;
  justification: string;
  status_override: ImplementationStatus | null;
  owner_id: string | null;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface SoaVersionsTable {
  org_id: string;
  framework_key: string;
  version: number;
  approved_by: string;
  approved_at: Timestamp;
  note: string;
  digest: string;
  rows: Json<SnapshotRow[]>;
}

declare module '../../db/types.js' {
  interface DB {
    soa_entries: SoaEntriesTable;
    soa_versions: SoaVersionsTable;
  }
}

/** Every recorded decision of the org for `framework`, with owner and editor names. */
export function selectEntries(tx: Tx, orgId: string, framework: string) {
  return tx
    .selectFrom('soa_entries as s')
    .leftJoin('users as o', 'o.id', 's.owner_id')
    .leftJoin('users as e', 'e.id', 's.updated_by')
    .select(['s.ref', 's.applicable', 's.justification', 's.status_override', 's.owner_id', 'o.display_name as owner_name', 's.updated_by', 'e.display_name as editor_name', 's.updated_at'])
    .where('s.org_id', '=', orgId)
    .where('s.framework_key', '=', framework);
}
export type EntryDbRow = Awaited<ReturnType<ReturnType<typeof selectEntries>['executeTakeFirstOrThrow']>>;

export function selectVersions(tx: Tx, orgId: string, framework: string) {
  return tx
    .selectFrom('soa_versions as v')
    .innerJoin('users as u', 'u.id', 'v.approved_by')
    .select(['v.framework_key', 'v.version', 'v.approved_by', 'u.display_name as approver_name', 'v.approved_at', 'v.note', 'v.digest', 'v.rows'])
    .where('v.org_id', '=', orgId)
    .where('v.framework_key', '=', framework);
}
export type VersionDbRow = Awaited<ReturnType<ReturnType<typeof selectVersions>['executeTakeFirstOrThrow']>>;
