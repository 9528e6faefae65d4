import { z } from 'zod';
import { ROLES } from '../../core/access/index.js';
import { Email } from '../auth/schema.js';
import { Page } from '../../core/paging.js';

export const OrgKind = z.enum(['platform', 'regulator', 'cert', 'regulated_entity', 'service_provider', 'certification_body']);
export const RoleList = z.array(z.enum(ROLES)).min(1).max(ROLES.length);


export const OrgRow = z.object({
  id: z.string().uuid(),
  name: z.string(),
  shortName: z.string(),
  kind: OrgKind,
  sector: z.string().nullable(),
  country: z.string().nullable(),
  mfaRequired: z.boolean(),
  createdAt: z.string(),
  actions: z.array(z.string()),
});
export type OrgRow = z.infer<typeof OrgRow>;

export const OrgQuery = Page.extend({
  q: z.string().trim().max(200).optional(),
  kind: OrgKind.optional(),
});

export const OrgCreateBody = z.strictObject({
  name: z.string().trim().min(2).max(200),
  shortName: z.string().trim().min(2).max(40).regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'letters, digits, space, dot, dash, underscore'),
  kind: OrgKind.exclude(['platform']),
  sector: z.string().trim().max(100).optional(),
  country: z.string().trim().length(2).toUpperCase().optional(),
});
export type OrgCreate = z.infer<typeof OrgCreateBody>;

export const OrgUpdateBody = z.strictObject({
  name: z.string().trim().min(2).max(200).optional(),
  mfaRequired: z.boolean().optional(),
});

export const RelationBody = z.strictObject({
  kind: z.enum(['supervises', 'serves']),
  relatedOrgId: z.string().uuid(),
});

export const MemberRow = z.object({
  userId: z.string().uuid(),
  email: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  mfaEnabled: z.boolean(),
  createdAt: z.string(),
  actions: z.array(z.string()),
});
export type MemberRow = z.infer<typeof MemberRow>;

export const MemberQuery = Page.extend({ q: z.string().trim().max(200).optional(), role: z.enum(ROLES).optional() });
export const MemberUpdateBody = z.strictObject({ roles: RoleList });

export const InvitationCreateBody = z.strictObject({
  email: Email,
  roles: RoleList,
  expiresInDays: z.number().int().min(1).max(30).default(7),
});

export const InvitationRow = z.object({
  id: z.string().uuid(),
  email: z.string(),
  roles: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
  actions: z.array(z.string()),
});
export type InvitationRow = z.infer<typeof InvitationRow>;
export const InvitationCreated = InvitationRow.extend({ link: z.string() });

export const InvitationPreview = z.object({ orgName: z.string(), email: z.string(), roles: z.array(z.string()), expiresAt: z.string(), userExists: z.boolean() });

export const InvitationAcceptBody = z.strictObject({
  token: z.string().min(20).max(200),
  /** Needed when the invitee has no account yet. */
  displayName: z.string().trim().min(1).max(200).optional(),
  password: z.string().max(256).optional(),
});

export const UserCreateBody = z.strictObject({
  email: Email,
  displayName: z.string().trim().min(1).max(200),
  password: z.string().max(256).optional(),
  orgId: z.string().uuid(),
  roles: RoleList,
});
