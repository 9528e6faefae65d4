import type { ColumnType, Generated } from 'kysely';

/** A timestamptz column: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamptz column with a database default. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type Json<T = unknown> = ColumnType<T, T | string, T | string>;

export type OrgKind = 'platform' | 'regulator' | 'cert' | 'regulated_entity' | 'service_provider' | 'certification_body';

export interface OrgsTable {
  id: string;
  name: string;
  short_name: string;
  kind: OrgKind;
  sector: string | null;
  country: string | null;
  mfa_required: Generated<boolean>;
  created_at: CreatedAt;
  disabled_at: Timestamp | null;
}

export interface OrgRelationsTable {
  org_id: string;
  kind: 'supervises' | 'serves';
  related_org_id: string;
  created_at: CreatedAt;
}

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  password_changed_at: Timestamp | null;
  totp_secret_enc: string | null;
  totp_last_step: number | null;
  mfa_enabled: Generated<boolean>;
  platform_admin: Generated<boolean>;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  time_zone: Generated<string>;
  created_at: CreatedAt;
  disabled_at: Timestamp | null;
}

export interface MfaRecoveryCodesTable {
  user_id: string;
  code_hash: string;
  used_at: Timestamp | null;
}

export interface MembershipsTable {
  org_id: string;
  user_id: string;
  roles: string[];
  created_at: CreatedAt;
  disabled_at: Timestamp | null;
}

export interface InvitationsTable {
  org_id: string;
  id: string;
  email: string;
  roles: string[];
  token_hash: string;
  invited_by: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  accepted_by: string | null;
  revoked_at: Timestamp | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  org_id: string | null;
  stage: 'mfa_pending' | 'mfa_enrolment' | 'active';
  csrf_token: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  idle_expires_at: Timestamp;
  absolute_expires_at: Timestamp;
  revoked_at: Timestamp | null;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokensTable {
  org_id: string;
  id: string;
  user_id: string;
  name: string;
  role: string;
  token_hash: string;
  token_prefix: string;
  created_at: CreatedAt;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface AuditLogTable {
  org_id: string;
  seq: number;
  id: string;
  at: Timestamp;
  actor_user_id: string | null;
  actor_token_id: string | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before_digest: string | null;
  after_digest: string | null;
  details: Json<Record<string, unknown>>;
  request_id: string | null;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadsTable {
  org_id: string;
  seq: number;
  hash: string;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobsTable {
  id: string;
  name: string;
  org_id: string | null;
  payload: Json<Record<string, unknown>>;
  status: Generated<JobStatus>;
  run_at: Timestamp;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  singleton_key: string | null;
  locked_by: string | null;
  locked_until: Timestamp | null;
  progress: Json<Record<string, unknown>> | null;
  result: Json<Record<string, unknown>> | null;
  last_error: string | null;
  created_at: CreatedAt;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface JobSchedulesTable {
  name: string;
  interval_seconds: number;
  next_run_at: Timestamp;
  last_run_at: Timestamp | null;
}

export interface MailOutboxTable {
  id: string;
  org_id: string | null;
  to_address: string;
  subject: string;
  body_text: string;
  status: 'queued' | 'sent' | 'stored' | 'failed';
  error: string | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
}

export interface NotificationsTable {
  org_id: string;
  user_id: string;
  id: string;
  kind: string;
  title: string;
  body: Generated<string>;
  link: string | null;
  created_at: CreatedAt;
  read_at: Timestamp | null;
}

export interface RateLimitsTable {
  key: string;
  window_start: Timestamp;
  hits: number;
}

export interface SchemaMigrationsTable {
  version: string;
  name: string;
  checksum: string;
  applied_at: CreatedAt;
}

/**
 * Every table Kysely knows. Domains add their own tables by declaration
 * merging from their repo.ts (`declare module '../../db/types.js' { interface DB { … } }`),
 * so a domain's table types live beside its queries.
 */
export interface DB {
  orgs: OrgsTable;
  org_relations: OrgRelationsTable;
  users: UsersTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  audit_heads: AuditHeadsTable;
  jobs: JobsTable;
  job_schedules: JobSchedulesTable;
  mail_outbox: MailOutboxTable;
  notifications: NotificationsTable;
  rate_limits: RateLimitsTable;
  schema_migrations: SchemaMigrationsTable;
}
