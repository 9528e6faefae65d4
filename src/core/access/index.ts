import type { OrgKind } from '../../db/types.js';
import { E, type AppError } from '../errors.js';

/** Roles a membership (or an API token) can carry. */
export const ROLES = [
  'org_admin',
  'isms_manager',
  'risk_owner',
  'control_owner',
  'internal_auditor',
  'staff',
  'cert_analyst',
  'cert_duty_officer',
  'supervisor',
  'external_auditor',
  'viewer',
] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Who is acting: a signed-in user in one org, an API token, or the system (jobs, CLI). */
export interface Actor {
  kind: 'user' | 'token' | 'system';
  userId: string | null;
  /** The acting organisation: row-level security scopes every query to it. */
  orgId: string;
  orgKind: OrgKind;
  roles: readonly Role[];
  platformAdmin: boolean;
  /** A label for logs and the audit trail (an email, `token:name`, `system:job`). */
  label: string;
  sessionId?: string;
  tokenId?: string;
}

/**
 * The permission table. Each domain declares its actions with the roles that
 * may perform them (`definePolicy`), once; everything else asks `can`.
 */
interface ActionRule {
  roles: ReadonlySet<Role>;
  /** Org kinds in which the action exists at all (CERT actions only in a CERT, …). */
  orgKinds?: ReadonlySet<OrgKind>;
  /** Platform administrators may perform it whatever their membership roles. */
  platform?: boolean;
  description: string;
}

const rules = new Map<string, ActionRule>();

export interface ActionSpec {
  roles: readonly Role[];
  orgKinds?: readonly OrgKind[];
  platform?: boolean;
  description: string;
}

/** Declares a domain's actions. Action names are `domain.verb`, e.g. `risks.update`. */
export function definePolicy<A extends string>(specs: Record<A, ActionSpec>): Record<A, A> {
  const names = {} as Record<A, A>;
  for (const action of Object.keys(specs) as A[]) {
    const s = specs[action];
    if (rules.has(action)) throw new Error(`action ${action} declared twice`);
    rules.set(action, {
      roles: new Set(s.roles),
      ...(s.orgKinds ? { orgKinds: new Set(s.orgKinds) } : {}),
      ...(s.platform ? { platform: true } : {}),
      description: s.description,
    });
    names[action] = action;
  }
  return names;
}

/** Whether the actor may perform `action` in its acting org (role level). */
export function can(actor: Actor, action: string): boolean {
  if (actor.kind === 'system') return true;
  const rule = rules.get(action);
  if (!rule) throw new Error(`unknown action ${action}: declare it with definePolicy`);
  if (rule.platform && actor.platformAdmin && actor.kind === 'user') return true;
  if (rule.orgKinds && !rule.orgKinds.has(actor.orgKind)) return false;
  return actor.roles.some((r) => rule.roles.has(r));
}

/** Throws FORBIDDEN unless `can(actor, action)`. */
export function authorize(actor: Actor, action: string): void {
  if (!can(actor, action)) throw E.FORBIDDEN(`Your role does not allow ${action}`);
}

/**
 * Checks a loaded resource: one outside the actor's org is reported as not
 * found (never forbidden), so ids of other tenants reveal nothing.
 */
export function authorizeResource(
  actor: Actor,
  action: string,
  resource: { orgId: string } | undefined | null,
  notFound: () => AppError,
): asserts resource is { orgId: string } {
  if (!resource || (resource.orgId !== actor.orgId && actor.kind !== 'system')) throw notFound();
  authorize(actor, action);
}

/** The actions among `candidates` the actor may perform: sent with objects so the UI hides the rest. */
export function allowedActions(actor: Actor, candidates: readonly string[]): string[] {
  return candidates.filter((a) => can(actor, a));
}

/** Every declared action (for `/api/me` and the docs). */
export function actionCatalog(): Array<{ action: string; roles: Role[]; description: string }> {
  return [...rules.entries()].map(([action, r]) => ({ action, roles: [...r.roles], description: r.description }));
}

/** Every action the actor may perform in its acting org. */
export function actorPermissions(actor: Actor): string[] {
  return [...rules.keys()].filter((a) => can(actor, a)).sort();
}

/** The system actor used by jobs and the CLI, acting in one org. */
export function systemActor(orgId: string, orgKind: OrgKind = 'platform', label = 'system'): Actor {
  return { kind: 'system', userId: null, orgId, orgKind, roles: [], platformAdmin: false, label };
}
