import { z } from 'zod';
/** TLP 2.0 levels (FIRST), least to most restrictive. Kept here, free of Node imports, for the UI too. */
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export const TlpLevel = z.enum(TLP_LEVELS);

/**
 * Who may see an intel object besides its owner. AMBER goes to recipient
 * orgs and sharing groups; AMBER+STRICT to recipient orgs only; RED to named
 * people only; CLEAR and GREEN to every org of the platform.
 */
export const SharingSpec = z.strictObject({
  tlp: TlpLevel,
  recipientOrgs: z.array(z.string().uuid()).max(500).default([]),
  recipientUsers: z.array(z.string().uuid()).max(500).default([]),
  sharingGroups: z.array(z.string().uuid()).max(50).default([]),
});
export type SharingSpec = z.infer<typeof SharingSpec>;

export const SharingGroupCreateBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  hideMembers: z.boolean().default(false),
  memberOrgIds: z.array(z.string().uuid()).max(1000).default([]),
});
export type SharingGroupCreate = z.infer<typeof SharingGroupCreateBody>;

export const SharingGroupMembersBody = z.strictObject({
  add: z.array(z.string().uuid()).max(1000).default([]),
  remove: z.array(z.string().uuid()).max(1000).default([]),
});

export const SharingGroupRow = z.object({
  id: z.string().uuid(),
  ownerOrgId: z.string().uuid(),
  name: z.string(),
  description: z.string(),
  hideMembers: z.boolean(),
  /** Member orgs, or null when the group hides its membership from this viewer. */
  members: z.array(z.object({ orgId: z.string().uuid(), name: z.string() })).nullable(),
  createdAt: z.string(),
  actions: z.array(z.string()),
});
export type SharingGroupRow = z.infer<typeof SharingGroupRow>;
