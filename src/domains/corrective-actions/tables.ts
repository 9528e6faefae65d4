import type { Generated } from 'kysely';
import type { Timestamp } from '../../db/types.js';

export type CorrectiveActionStatus = 'open' | 'in_progress' | 'done' | 'cancelled';
export type CorrectiveActionSource = 'incident' | 'audit_finding' | 'management_review' | 'risk' | 'other';

export interface CorrectiveActionsTable {
  org_id: string;
  id: string;
  title: string;
  description: Generated<string>;
  source_type: CorrectiveActionSource;
  source_id: string | null;
  owner_id: string | null;
  /** A `date` column: read back as a Date at UTC midnight (pg) or a string; normalised in the service. */
  due_date: string | Date | null;
  status: CorrectiveActionStatus;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  closed_at: Timestamp | null;
}

declare module '../../db/types.js' {
  interface DB {
    corrective_actions: CorrectiveActionsTable;
  }
}
