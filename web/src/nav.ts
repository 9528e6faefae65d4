import type { SessionInfo } from './session.js';

/**
 * The navigation, declared as data. A domain adds a page with one entry here
 * and one route in routes.tsx. `permission` is an action name from
 * /api/auth/session's `permissions`; `orgKinds` limits the entry to some
 * kinds of acting organisation.
 */
export interface NavItem {
  path: string;
  label: string;
  permission?: string;
  orgKinds?: readonly string[];
  /** Groups entries under a heading in the sidebar. */
  section?: 'main' | 'admin' | 'account';
}

export const NAV: readonly NavItem[] = [
  { path: '/', label: 'Home', section: 'main' },
  { path: '/orgs', label: 'Organisations', permission: 'orgs.read', section: 'main' },
  { path: '/intel', label: 'Threat intelligence', permission: 'intel.read', section: 'main' },
  { path: '/intel/import', label: 'Import STIX', permission: 'intel.import', section: 'main' },
  { path: '/intel/sharing-groups', label: 'Sharing groups', permission: 'sharing_groups.read', section: 'admin' },
  { path: '/intel/feeds', label: 'Intel feeds', permission: 'intel.read', section: 'admin' },
  { path: '/notifications', label: 'Notifications', section: 'main' },
  { path: '/assets', label: 'Assets', permission: 'assets.read', section: 'main' },
  { path: '/risks', label: 'Risks', permission: 'risks.read', section: 'main' },
  { path: '/soa', label: 'Statement of Applicability', permission: 'soa.read', section: 'main' },
  { path: '/controls', label: 'Controls', permission: 'controls.read', section: 'main' },
  { path: '/compliance', label: 'Compliance', permission: 'soa.read', section: 'main' },
  { path: '/documents', label: 'Policies', permission: 'documents.read', section: 'main' },
  { path: '/catalogs', label: 'Frameworks', permission: 'catalogs.read', section: 'main' },
  { path: '/incidents', label: 'Incidents', permission: 'incidents.read', section: 'main' },
  { path: '/incidents/stats', label: 'Incident statistics', permission: 'incidents.read', section: 'main' },
  { path: '/regimes', label: 'Reporting regimes', permission: 'regimes.read', section: 'main' },
  { path: '/cases', label: 'Coordination cases', permission: 'incidents.coordinate', section: 'main' },
  { path: '/advisories', label: 'Advisories', permission: 'advisories.read', section: 'main' },
  { path: '/admin/members', label: 'Members', permission: 'members.read', section: 'admin' },
  { path: '/admin/invitations', label: 'Invitations', permission: 'invitations.manage', section: 'admin' },
  { path: '/admin/audit-log', label: 'Audit log', permission: 'audit.read', section: 'admin' },
  { path: '/admin/outbox', label: 'Outbox', permission: 'outbox.read', section: 'admin' },
  { path: '/admin/settings', label: 'Organisation settings', permission: 'orgs.update', section: 'admin' },
  { path: '/account/security', label: 'Security', section: 'account' },
  { path: '/account/tokens', label: 'API tokens', permission: 'tokens.read', section: 'account' },
];

/** The entries this session may see. */
export function visibleNav(s: SessionInfo, items: readonly NavItem[] = NAV): NavItem[] {
  return items.filter((i) => (!i.permission || s.permissions.includes(i.permission)) && (!i.orgKinds || (s.org !== null && i.orgKinds.includes(s.org.kind))));
}

export const SECTION_LABELS: Record<NonNullable<NavItem['section']>, string> = { main: 'Workspace', admin: 'Administration', account: 'Your account' };
