import type { ColumnType, Generated, GeneratedAlways } from 'kysely';
import type { CreatedAt, Json, Timestamp } from '../../db/types.js';
import type { Tlp } from './stix-model.js';

/** The sharing columns every intel row carries; intel_can_see() reads them. */
export interface SharingColumns {
  tlp: Tlp | null;
  recipient_orgs: ColumnType<string[], string[] | undefined, string[]>;
  recipient_users: ColumnType<string[], string[] | undefined, string[]>;
  sharing_groups: ColumnType<string[], string[] | undefined, string[]>;
}

export interface StixObjectsTable extends SharingColumns {
  org_id: string;
  stix_id: string;
  version: string;
  type: string;
  spec_version: string | null;
  created: Timestamp | null;
  modified: Timestamp | null;
  created_by_ref: string | null;
  producer_org_id: string | null;
  revoked: boolean;
  deprecated: boolean;
  labels: string[];
  name: string | null;
  confidence: number | null;
  pattern_type: string | null;
  pap: string | null;
  object_marking_refs: string[];
  source: string;
  import_id: string | null;
  allow_anonymised_reshare: ColumnType<boolean, boolean | undefined, boolean>;
  is_latest: boolean;
  added_at: Timestamp;
  doc: Json<Record<string, unknown>>;
  /** `doc::text`, kept by PostgreSQL (0324): what TAXII pages splice in. */
  doc_text: GeneratedAlways<string>;
}

export interface IntelIdentitiesTable {
  org_id: string;
  identity_id: string;
  created_at: CreatedAt;
}

export interface IntelImportsTable {
  org_id: string;
  id: string;
  source: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  options: Json<Record<string, unknown>>;
  bundle: string | null;
  total: Generated<number>;
  processed: Generated<number>;
  inserted: Generated<number>;
  unchanged: Generated<number>;
  errors: Json<unknown[]>;
  created_by: string | null;
  created_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface IntelObservablesTable extends SharingColumns {
  org_id: string;
  id: string;
  source_kind: 'stix' | 'incident' | 'watchlist';
  source_ref: string;
  kind: string;
  value: string;
  ip: string | null;
  warning: string | null;
  created_at: Timestamp;
}

export interface IntelMatchesTable {
  org_id: string;
  id: string;
  kind: string;
  value: string;
  warning: string | null;
  a_observable_id: string;
  a_source_kind: string;
  a_source_ref: string;
  a_tlp: Tlp | null;
  a_recipient_orgs: string[];
  a_recipient_users: string[];
  a_sharing_groups: string[];
  b_org_id: string;
  b_observable_id: string;
  b_source_kind: string;
  b_source_ref: string;
  b_value: string;
  b_tlp: Tlp | null;
  b_recipient_orgs: string[];
  b_recipient_users: string[];
  b_sharing_groups: string[];
  created_at: Timestamp;
}

export interface IntelSightingsTable extends SharingColumns {
  org_id: string;
  id: string;
  indicator_id: string;
  kind: 'seen' | 'false_positive';
  count: number;
  first_seen: Timestamp;
  last_seen: Timestamp;
  note: string;
  created_by: string | null;
  created_at: Timestamp;
}

export interface WarningListsTable {
  id: string;
  name: string;
  kind: 'cidr' | 'domain';
  description: string;
  enabled: Generated<boolean>;
}

export interface WarningListEntriesTable {
  list_id: string;
  value: string;
}

export interface IntelAlertSettingsTable {
  org_id: string;
  email: Generated<boolean>;
  webhook_url: string | null;
}

declare module '../../db/types.js' {
  interface DB {
    stix_objects: StixObjectsTable;
    intel_identities: IntelIdentitiesTable;
    intel_imports: IntelImportsTable;
    intel_observables: IntelObservablesTable;
    intel_matches: IntelMatchesTable;
    intel_sightings: IntelSightingsTable;
    warning_lists: WarningListsTable;
    warning_list_entries: WarningListEntriesTable;
    intel_alert_settings: IntelAlertSettingsTable;
  }
}
