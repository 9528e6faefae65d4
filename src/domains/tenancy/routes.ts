import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Page, Paged } from '../../core/paging.js';
import type { AppDeps } from '../../server/deps.js';
import { rateLimit } from '../../server/rate-limit.js';
import { TenancyActions as A } from './policy.js';
import * as orgs from './orgs.js';
import * as members from './members.js';
import * as invitations from './invitations.js';
import * as users from './users.js';
import {
  InvitationAcceptBody,
  InvitationCreateBody,
  InvitationCreated,
  InvitationPreview,
  InvitationRow,
  MemberQuery,
  MemberRow,
  MemberUpdateBody,
  OrgCreateBody,
  OrgQuery,
  OrgRow,
  OrgUpdateBody,
  RelationBody,
  UserCreateBody,
} from './schema.js';

const Id = z.object({ id: z.string().uuid() });
const Ok = z.object({ ok: z.literal(true) });

export function tenancyRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/orgs', {
      config: { action: A['orgs.read'] },
      schema: { tags: ['orgs'], summary: 'Directory of organisations (search, filter by kind, paginate)', querystring: OrgQuery, response: { 200: Paged(OrgRow) } },
    }, async (req) => orgs.listOrgs(req.ctx, req.query));

    app.get('/api/orgs/:id', {
      config: { action: A['orgs.read'] },
      schema: { tags: ['orgs'], summary: 'One organisation', params: Id, response: { 200: OrgRow } },
    }, async (req) => orgs.getOrg(req.ctx, req.params.id));

    app.post('/api/orgs', {
      config: { action: A['orgs.create'] },
      schema: { tags: ['orgs'], summary: 'Create an organisation (platform administrators)', body: OrgCreateBody, response: { 201: OrgRow } },
    }, async (req, reply) => reply.status(201).send(await orgs.createOrg(req.ctx, req.body)));

    app.patch('/api/orgs/:id', {
      config: { action: A['orgs.update'] },
      schema: { tags: ['orgs'], summary: "Update the acting org's name or MFA requirement", params: Id, body: OrgUpdateBody, response: { 200: OrgRow } },
    }, async (req) => orgs.updateOrg(req.ctx, req.params.id, req.body));

    app.post('/api/orgs/:id/relations', {
      config: { action: A['orgs.relate'] },
      schema: { tags: ['orgs'], summary: 'Record that this org supervises or serves another', params: Id, body: RelationBody, response: { 200: Ok } },
    }, async (req) => {
      await orgs.relateOrgs(req.ctx, req.params.id, req.body.kind, req.body.relatedOrgId);
      return { ok: true as const };
    });

    app.get('/api/members', {
      config: { action: A['members.read'] },
      schema: { tags: ['members'], summary: 'People of the acting org', querystring: MemberQuery, response: { 200: Paged(MemberRow) } },
    }, async (req) => members.listMembers(req.ctx, req.query));

    app.patch('/api/members/:id', {
      config: { action: A['members.manage'] },
      schema: { tags: ['members'], summary: "Change a member's roles", params: Id, body: MemberUpdateBody, response: { 200: Ok } },
    }, async (req) => {
      await members.updateMemberRoles(req.ctx, req.params.id, req.body.roles);
      return { ok: true as const };
    });

    app.delete('/api/members/:id', {
      config: { action: A['members.manage'] },
      schema: { tags: ['members'], summary: 'Remove a member from the acting org', params: Id, response: { 200: Ok } },
    }, async (req) => {
      await members.removeMember(req.ctx, req.params.id);
      return { ok: true as const };
    });

    app.post('/api/users', {
      config: { action: A['users.create'] },
      schema: { tags: ['members'], summary: 'Create an account with a membership (platform administrators)', body: UserCreateBody, response: { 201: z.object({ id: z.string().uuid(), generatedPassword: z.string().optional() }) } },
    }, async (req, reply) => reply.status(201).send(await users.createUser(req.ctx, req.body)));

    app.get('/api/invitations', {
      config: { action: A['invitations.manage'] },
      schema: { tags: ['invitations'], summary: 'Invitations of the acting org', querystring: Page, response: { 200: Paged(InvitationRow) } },
    }, async (req) => invitations.listInvitations(req.ctx, req.query));

    app.post('/api/invitations', {
      config: { action: A['invitations.manage'] },
      schema: { tags: ['invitations'], summary: 'Invite someone by email; the answer holds the link (also mailed)', body: InvitationCreateBody, response: { 201: InvitationCreated } },
    }, async (req, reply) => reply.status(201).send(await invitations.createInvitation(req.ctx, { mailer: deps.mailer, publicUrl: deps.config.publicUrl }, req.body)));

    app.delete('/api/invitations/:id', {
      config: { action: A['invitations.manage'] },
      schema: { tags: ['invitations'], summary: 'Revoke a pending invitation', params: Id, response: { 200: InvitationRow } },
    }, async (req) => invitations.revokeInvitation(req.ctx, req.params.id));

    const inviteLimit = rateLimit(deps.db, deps.clock, { name: 'invite', max: 30, windowMs: 15 * 60_000 });

    app.post('/api/invitations/preview', {
      config: { auth: 'public' },
      preHandler: inviteLimit,
      schema: { tags: ['invitations'], summary: 'What an invitation link offers (token in the body, never the URL)', body: z.strictObject({ token: z.string().min(20).max(200) }), response: { 200: InvitationPreview } },
    }, async (req) => invitations.previewInvitation(deps, req.body.token));

    app.post('/api/invitations/accept', {
      config: { auth: 'public' },
      preHandler: inviteLimit,
      schema: { tags: ['invitations'], summary: 'Accept an invitation (newcomers set a name and password)', body: InvitationAcceptBody, response: { 200: z.object({ orgId: z.string().uuid(), created: z.boolean() }) } },
    }, async (req) => {
      // A session still waiting for its second factor does not count as signed in.
      const signedIn = req.session && req.session.stage !== 'mfa_pending' ? req.session.userId : undefined;
      const r = await invitations.acceptInvitation(deps, { ...req.body, signedInUserId: signedIn });
      return { orgId: r.orgId, created: r.created };
    });
  };
}
