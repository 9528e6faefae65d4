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
import { AssetDetailPage, AssetGraphPage, AssetsPage } from './pages/isms/assets.js';
import { AssetImportPage } from './pages/isms/asset-import.js';
import { RiskNewPage, RisksPage } from './pages/isms/risks.js';
import { RiskDetailPage } from './pages/isms/risk-detail.js';
import { RiskMethodPage } from './pages/isms/risk-method.js';
import { DocumentDetailPage, DocumentsPage } from './pages/isms/documents.js';
import { CatalogsPage, RequirementPage } from './pages/isms/catalogs.js';
import { SoaPage, SoaVersionsPage } from './pages/isms/soa.js';
import { ControlDetailPage, ControlNewPage, ControlsPage, EvidencePage } from './pages/isms/controls.js';
import { CompliancePage } from './pages/isms/compliance.js';
import { AdvisoriesPage, AdvisoryPage } from './pages/advisories.js';
import { CasePage, CasesPage, IncidentStatsPage } from './pages/cert-stats.js';
import { IncidentPage, IncidentsPage } from './pages/incidents.js';
import { RegimesPage } from './pages/regimes.js';
import { IntelExplorerPage, IntelObjectPage } from './pages/intel.js';
import { IntelImportPage, SharingGroupsPage } from './pages/intel-admin.js';
import { FeedsPage } from './pages/intel-feeds.js';

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
  { path: '/intel/feeds', element: <FeedsPage /> },
  { path: '/notifications', element: <NotificationsPage /> },
  { path: '/incidents', element: <IncidentsPage /> },
  { path: '/incidents/stats', element: <IncidentStatsPage /> },
  { path: '/regimes', element: <RegimesPage /> },
  { path: '/incidents/:id', element: <IncidentPage /> },
  { path: '/cases', element: <CasesPage /> },
  { path: '/cases/:id', element: <CasePage /> },
  { path: '/advisories', element: <AdvisoriesPage /> },
  { path: '/advisories/:id', element: <AdvisoryPage /> },
  { path: '/admin/members', element: <MembersPage /> },
  { path: '/admin/invitations', element: <InvitationsPage /> },
  { path: '/admin/audit-log', element: <AuditLogPage /> },
  { path: '/admin/outbox', element: <OutboxPage /> },
  { path: '/admin/settings', element: <OrgSettingsPage /> },
  { path: '/account/security', element: <AccountSecurityPage /> },
  { path: '/account/mfa', element: <MfaSetupPage /> },
  { path: '/account/tokens', element: <TokensPage /> },
  { path: '/assets', element: <AssetsPage /> },
  { path: '/assets/import', element: <AssetImportPage /> },
  { path: '/assets/graph', element: <AssetGraphPage /> },
  { path: '/assets/:id', element: <AssetDetailPage /> },
  { path: '/risks', element: <RisksPage /> },
  { path: '/risks/new', element: <RiskNewPage /> },
  { path: '/risks/method', element: <RiskMethodPage /> },
  { path: '/risks/:id', element: <RiskDetailPage /> },
  { path: '/soa', element: <SoaPage /> },
  { path: '/soa/versions', element: <SoaVersionsPage /> },
  { path: '/compliance', element: <CompliancePage /> },
  { path: '/controls', element: <ControlsPage /> },
  { path: '/controls/new', element: <ControlNewPage /> },
  { path: '/controls/:id', element: <ControlDetailPage /> },
  { path: '/evidence', element: <EvidencePage /> },
  { path: '/documents', element: <DocumentsPage /> },
  { path: '/documents/:id', element: <DocumentDetailPage /> },
  { path: '/catalogs', element: <CatalogsPage /> },
  { path: '/catalogs/:key/requirements/:ref', element: <RequirementPage /> },
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
