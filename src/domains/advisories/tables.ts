import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../../db/types.js';

export interface AdvisoriesTable {
  org_id: string;
  id: string;
  ref: string;
  title: string;
  tlp: 'clear' | 'green' | 'amber' | 'amber+strict' | 'red';
  severity: 'low' | 'medium' | 'high' | 'critical';
  products: Json<Array<{ vendor: string; product: string; versions: string }>>;
  cve_ids: string[];
  description: string;
  recommended_actions: string;
  indicators: Json<Array<{ type: string; value: string; tlp: string }>>;
  stix_refs: Generated<string[]>;
  stix_from_observables: Generated<boolean>;
  valid_from: Timestamp | null;
  valid_until: Timestamp | null;
  audience: Json<{ kind: 'all' | 'sector' | 'orgs'; sector?: string | undefined; orgIds?: string[] | undefined }>;
  status: 'draft' | 'published' | 'withdrawn';
  published_at: Timestamp | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AdvisoryRecipientsTable {
  org_id: string;
  advisory_id: string;
  cert_org_id: string;
  delivered_at: Timestamp;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
  applicability: Generated<'unknown' | 'affected' | 'not_affected'>;
  remediation_status: Generated<'not_started' | 'in_progress' | 'remediated' | 'not_applicable'>;
  remediation_date: string | Date | null;
  note: Generated<string>;
  updated_at: Timestamp;
  last_reminded_at: Timestamp | null;
  reminders_sent: Generated<number>;
}

declare module '../../db/types.js' {
  interface DB {
    advisories: AdvisoriesTable;
    advisory_recipients: AdvisoryRecipientsTable;
  }
}
