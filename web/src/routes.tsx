import type { ReactElement } from 'react';
import { Route, Routes } from 'react-router-dom';
import { HomePage, NotFoundPage } from './pages/home.js';
import { AccountSecurityPage, MfaSetupPage } from './pages/account-security.js';
import { AuditLogPage } from './pages/audit-log.js';
import { InvitationsPage } from './pages/invitations.js';
import { MembersPage } from './pages/members.js';
import { NotificationsPage } from './pages/notifications.js';
import { OrgSettingsPage, OrgsPage } from './pages/orgs.js';
import { OutboxPage } from './pages/outbox.js';
import { TokensPage } from './pages/tokens.js';
import { IntelExplorerPage, IntelObjectPage } from './pages/intel.js';
import { IntelImportPage, SharingGroupsPage } from './pages/intel-admin.js';

/**
 * The signed-in pages. A domain adds a page with one route here and one
 * entry in nav.ts (the entry decides who sees the link; the server decides
 * who may call the API behind it).
 */
export const ROUTES: ReadonlyArray<{ path: string; element: ReactElement }> = [
  { path: '/', element: <HomePage /> },
  { path: '/orgs', element: <OrgsPage /> },
  { path: '/intel', element: <IntelExplorerPage /> },
  { path: '/intel/objects/:id', element: <IntelObjectPage /> },
  { path: '/intel/import', element: <IntelImportPage /> },
  { path: '/intel/sharing-groups', element: <SharingGroupsPage /> },
  { path: '/notifications', element: <NotificationsPage /> },
  { path: '/admin/members', element: <MembersPage /> },
  { path: '/admin/invitations', element: <InvitationsPage /> },
  { path: '/admin/audit-log', element: <AuditLogPage /> },
  { path: '/admin/outbox', element: <OutboxPage /> },
  { path: '/admin/settings', element: <OrgSettingsPage /> },
  { path: '/account/security', element: <AccountSecurityPage /> },
  { path: '/account/mfa', element: <MfaSetupPage /> },
  { path: '/account/tokens', element: <TokensPage /> },
];

export function AppRoutes() {
  return (
    <Routes>
      {ROUTES.map((r) => (
        <Route key={r.path} path={r.path} element={r.element} />
      ))}
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
