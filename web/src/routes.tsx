import type { ReactElement } from 'react';
import { Route, Routes } from 'react-router-dom';
import { HomePage, NotFoundPage } from './pages/home.js';
import { MfaSetupPage } from './pages/account-security.js';

/**
 * The signed-in pages. A domain adds a page with one route here and one
 * entry in nav.ts (the entry decides who sees the link; the server decides
 * who may call the API behind it).
 */
export const ROUTES: ReadonlyArray<{ path: string; element: ReactElement }> = [
  { path: '/', element: <HomePage /> },
  { path: '/account/mfa', element: <MfaSetupPage /> },
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
