import { z } from 'zod';
import { ROLES } from '../../core/access/index.js';

export const Email = z.string().trim().toLowerCase().email().max(254);

export const LoginBody = z.strictObject({
  email: Email,
  password: z.string().min(1).max(256),
});

export const MfaCodeBody = z.strictObject({
  /** A 6-digit TOTP code, or one of the recovery codes. */
  code: z.string().trim().min(6).max(32),
});

export const SessionStage = z.enum(['mfa_pending', 'mfa_enrolment', 'active']);

export const MembershipSummary = z.object({
  orgId: z.string().uuid(),
  orgName: z.string(),
  orgKind: z.string(),
  roles: z.array(z.string()),
});

export const SessionInfo = z.object({
  stage: SessionStage,
  csrfToken: z.string(),
  user: z.object({ id: z.string().uuid(), email: z.string(), displayName: z.string(), mfaEnabled: z.boolean(), platformAdmin: z.boolean() }),
  org: z.object({ id: z.string().uuid(), name: z.string(), kind: z.string(), mfaRequired: z.boolean() }).nullable(),
  roles: z.array(z.string()),
  permissions: z.array(z.string()),
  memberships: z.array(MembershipSummary),
  idleExpiresAt: z.string(),
  absoluteExpiresAt: z.string(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const MfaEnrolment = z.object({ secret: z.string(), otpauthUrl: z.string() });
export const RecoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });

export const SwitchOrgBody = z.strictObject({ orgId: z.string().uuid() });

export const ChangePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: z.string().min(1).max(256),
});

export const SessionRow = z.object({
  id: z.string(),
  current: z.boolean(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});

export const TokenCreateBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  expiresInDays: z.number().int().min(1).max(730).optional(),
});

export const TokenRow = z.object({
  id: z.string().uuid(),
  name: z.string(),
  role: z.string(),
  prefix: z.string(),
  userId: z.string().uuid(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  actions: z.array(z.string()),
});
export type TokenRow = z.infer<typeof TokenRow>;

export const TokenCreated = TokenRow.extend({ token: z.string() });
