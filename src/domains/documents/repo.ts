import { sql, type ColumnType } from 'kysely';
import type { Tx } from '../../core/context.js';
import type { Timestamp } from '../../db/types.js';
import type { VersionStatus } from './schema.js';

type DateCol = ColumnType<string | null, string | null | undefined, string | null>;

export interface DocumentsTable {
  org_id: string;
  id: string;
  title: string;
  kind: 'policy' | 'standard' | 'procedure' | 'guideline' | 'plan' | 'record' | 'other';
  classification: 'public' | 'internal' | 'confidential' | 'restricted';
  owner_id: string;
  review_cycle_months: number;
  next_review_on: DateCol;
  published_version: number | null;
  retired_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DocumentVersionsTable {
  org_id: string;
  document_id: string;
  version: number;
  content_md: string;
  /** The uploaded file this version is (core `files` row), instead of markdown. */
  file_id: ColumnType<string | null, string | null | undefined, string | null>;
  change_note: ColumnType<string, string | undefined, string>;
  status: VersionStatus;
  author_id: string;
  created_at: Timestamp;
  submitted_at: Timestamp | null;
  approved_by: string | null;
  approved_at: Timestamp | null;
  decision_note: ColumnType<string, string | undefined, string>;
  published_at: Timestamp | null;
  published_by: string | null;
  retired_at: Timestamp | null;
}

export interface DocumentAcksTable {
  org_id: string;
  document_id: string;
  version: number;
  user_id: string;
  acknowledged_at: Timestamp;
}

export interface DocumentCampaignsTable {
  org_id: string;
  id: string;
  document_id: string;
  version: number;
  due_on: ColumnType<string, string, string>;
  audience: string[];
  created_by: string;
  created_at: Timestamp;
  closed_at: Timestamp | null;
}

export interface DocumentCampaignTargetsTable {
  org_id: string;
  campaign_id: string;
  user_id: string;
  last_reminded_at: Timestamp | null;
}

export interface DocumentRemindersTable {
  org_id: string;
  kind: string;
  entity_id: string;
  user_id: string;
  due_on: string;
  sent_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    documents: DocumentsTable;
    document_versions: DocumentVersionsTable;
    document_acks: DocumentAcksTable;
    document_campaigns: DocumentCampaignsTable;
    document_campaign_targets: DocumentCampaignTargetsTable;
    document_reminders: DocumentRemindersTable;
  }
}

/** The uploaded file of a version (all null for a markdown version). */
const FILE_COLUMNS = ['v.file_id', 'f.sha256 as file_sha256', 'f.size as file_size', 'f.media_type as file_media_type', 'f.filename as file_name'] as const;

/** Documents with their owner and latest version (one row each). */
export function selectDocuments(tx: Tx) {
  return tx
    .selectFrom('documents as d')
    .innerJoin('users as o', 'o.id', 'd.owner_id')
    .innerJoin('document_versions as v', (j) =>
      j.onRef('v.org_id', '=', 'd.org_id').onRef('v.document_id', '=', 'd.id').on('v.version', '=', sql<number>`(select max(x.version) from document_versions x where x.org_id = d.org_id and x.document_id = d.id)`),
    )
    .innerJoin('users as a', 'a.id', 'v.author_id')
    .leftJoin('users as ap', 'ap.id', 'v.approved_by')
    .leftJoin('files as f', (j) => j.onRef('f.org_id', '=', 'v.org_id').onRef('f.id', '=', 'v.file_id'))
    .select([
      'd.id', 'd.title', 'd.kind', 'd.classification', 'd.owner_id', 'o.display_name as owner_name', 'd.review_cycle_months',
      sql<string | null>`d.next_review_on::text`.as('next_review_on'), 'd.published_version', 'd.retired_at', 'd.created_at', 'd.updated_at',
      'v.version', 'v.status as version_status', 'v.change_note', 'v.author_id', 'a.display_name as author_name', 'v.created_at as version_created_at',
      'v.submitted_at', 'v.approved_by', 'ap.display_name as approver_name', 'v.approved_at', 'v.decision_note', 'v.published_at',
      ...FILE_COLUMNS,
    ]);
}
export type DocumentDbRow = Awaited<ReturnType<ReturnType<typeof selectDocuments>['executeTakeFirstOrThrow']>>;

export function selectVersions(tx: Tx) {
  return tx
    .selectFrom('document_versions as v')
    .innerJoin('users as a', 'a.id', 'v.author_id')
    .leftJoin('users as ap', 'ap.id', 'v.approved_by')
    .leftJoin('files as f', (j) => j.onRef('f.org_id', '=', 'v.org_id').onRef('f.id', '=', 'v.file_id'))
    .select([
      'v.version', 'v.status as version_status', 'v.change_note', 'v.author_id', 'a.display_name as author_name', 'v.created_at as version_created_at',
      'v.submitted_at', 'v.approved_by', 'ap.display_name as approver_name', 'v.approved_at', 'v.decision_note', 'v.published_at',
      ...FILE_COLUMNS,
    ]);
}
export type VersionDbRow = Awaited<ReturnType<ReturnType<typeof selectVersions>['executeTakeFirstOrThrow']>>;
