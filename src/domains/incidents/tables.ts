import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../../db/types.js';

export type IncidentStatus = 'draft' | 'new' | 'triage' | 'analysis' | 'containment' | 'eradication' | 'recovery' | 'post_incident' | 'closed' | 'rejected';
export type Tlp = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red';

export interface ReportingRegimesTable {
  org_id: string;
  id: string;
  key: string;
  definition: Json<unknown>;
  is_default: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IncidentsTable {
  org_id: string;
  id: string;
  ref: string;
  cert_org_id: string;
  regime_org_id: string;
  regime_id: string;
  title: string;
  draft: Json<unknown>;
  draft_updated_at: Timestamp;
  rsit_class: string | null;
  rsit_type: string | null;
  severity: 'low' | 'medium' | 'high' | 'critical' | null;
  detected_at: Timestamp | null;
  started_at: Timestamp | null;
  classified_at: Timestamp | null;
  is_major: Generated<boolean>;
  is_reportable: Generated<boolean>;
  first_reported_at: Timestamp | null;
  last_stage: 'initial' | 'intermediate' | 'final' | null;
  stage_first_at: Json<Record<string, string>>;
  next_due_at: Timestamp | null;
  next_due_stage: string | null;
  /** Each stage's due time and first submission, stored from the regime's rules (migration 0205). */
  initial_due_at: Timestamp | null;
  intermediate_due_at: Timestamp | null;
  final_due_at: Timestamp | null;
  initial_submitted_at: Timestamp | null;
  intermediate_submitted_at: Timestamp | null;
  final_submitted_at: Timestamp | null;
  /** False only for rows from before migration 0205 until the start-up backfill has stored them. */
  deadlines_stored: Generated<boolean>;
  status: IncidentStatus;
  state_entered: Json<Record<string, string>>;
  /** When it first entered triage / containment (copies of state_entered's, for the statistics' index; 0205). */
  triaged_at: Timestamp | null;
  contained_at: Timestamp | null;
  assignee_id: string | null;
  lessons_learned: string | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IncidentStagesTable {
  org_id: string;
  incident_id: string;
  seq: number;
  id: string;
  stage: 'initial' | 'intermediate' | 'final';
  snapshot: Json<unknown>;
  sha256: string;
  submitted_at: Timestamp;
  submitted_by: string | null;
}

export interface IncidentObservablesTable {
  org_id: string;
  incident_id: string;
  type: string;
  value: string;
  tlp: Tlp;
  created_at: Timestamp;
}

export interface IncidentAssetsTable {
  org_id: string;
  incident_id: string;
  asset_id: string;
}

export interface IncidentStateChangesTable {
  org_id: string;
  incident_id: string;
  id: string;
  from_status: string | null;
  to_status: string;
  at: Timestamp;
  by_user_id: string | null;
  by_org_id: string;
  reason: Generated<string>;
}

export interface IncidentMessagesTable {
  org_id: string;
  incident_id: string;
  id: string;
  author_org_id: string;
  author_user_id: string | null;
  tlp: Tlp;
  body: string;
  created_at: Timestamp;
}

export interface IncidentDeadlineNoticesTable {
  org_id: string;
  incident_id: string;
  stage: string;
  kind: 'reminder' | 'escalation';
  due_at: Timestamp;
  sent_at: Timestamp;
}

export interface IncidentNotesTable {
  org_id: string;
  id: string;
  incident_org_id: string;
  incident_id: string;
  author_user_id: string | null;
  body: string;
  created_at: Timestamp;
}

export interface IncidentTasksTable {
  org_id: string;
  id: string;
  incident_org_id: string;
  incident_id: string;
  title: string;
  owner_id: string | null;
  due_at: Timestamp | null;
  status: 'open' | 'in_progress' | 'done' | 'cancelled';
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IncidentJournalTable {
  org_id: string;
  id: string;
  incident_org_id: string;
  incident_id: string;
  at: Timestamp;
  author_user_id: string | null;
  kind: string;
  text: string;
}

export interface CertCasesTable {
  org_id: string;
  id: string;
  title: string;
  description: Generated<string>;
  status: 'open' | 'closed';
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CertCaseIncidentsTable {
  org_id: string;
  case_id: string;
  incident_org_id: string;
  incident_id: string;
  added_at: Timestamp;
}

export interface IncidentAttachmentsTable {
  org_id: string;
  incident_id: string;
  id: string;
  file_id: string;
  sha256: string;
  size: number;
  media_type: string;
  filename: string;
  description: string;
  uploaded_by: string | null;
  created_at: Timestamp;
  removed_at: Timestamp | null;
}

declare module '../../db/types.js' {
  interface DB {
    incident_attachments: IncidentAttachmentsTable;
    reporting_regimes: ReportingRegimesTable;
    incidents: IncidentsTable;
    incident_stages: IncidentStagesTable;
    incident_observables: IncidentObservablesTable;
    incident_assets: IncidentAssetsTable;
    incident_state_changes: IncidentStateChangesTable;
    incident_messages: IncidentMessagesTable;
    incident_deadline_notices: IncidentDeadlineNoticesTable;
    incident_notes: IncidentNotesTable;
    incident_tasks: IncidentTasksTable;
    incident_journal: IncidentJournalTable;
    cert_cases: CertCasesTable;
    cert_case_incidents: CertCaseIncidentsTable;
  }
}
