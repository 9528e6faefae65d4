import type { FastifyPluginAsync } from 'fastify';
import { assetRoutes } from '../domains/assets/routes.js';
import { riskRoutes } from '../domains/risks/routes.js';
import { documentRoutes } from '../domains/documents/routes.js';
import { catalogRoutes } from '../domains/catalogs/routes.js';
import { controlRoutes } from '../domains/controls/routes.js';
import { soaRoutes } from '../domains/soa/routes.js';
import { auditRoutes } from '../domains/audit/routes.js';
import { advisoryRoutes } from '../domains/advisories/routes.js';
import { authRoutes } from '../domains/auth/routes.js';
import { correctiveActionRoutes } from '../domains/corrective-actions/routes.js';
import { incidentRoutes } from '../domains/incidents/routes.js';
import { intelRoutes } from '../domains/intel/routes.js';
import { notificationRoutes } from '../domains/notifications/routes.js';
import { outboxRoutes } from '../domains/outbox/routes.js';
import { sharingRoutes } from '../domains/sharing/routes.js';
import { taxiiPublicRoutes, taxiiRoutes } from '../domains/taxii/routes.js';
import { feedRoutes } from '../domains/taxii/feed-routes.js';
import { mispRoutes } from '../domains/misp/routes.js';
import { tenancyRoutes } from '../domains/tenancy/routes.js';
import type { AppDeps } from './deps.js';

/** Every domain's routes, in one list: add a domain here. */
export function domainRoutes(deps: AppDeps): FastifyPluginAsync[] {
  return [
    authRoutes(deps),
    tenancyRoutes(deps),
    auditRoutes,
    notificationRoutes,
    outboxRoutes,
    assetRoutes,
    riskRoutes,
    documentRoutes(deps),
    incidentRoutes(deps),
    correctiveActionRoutes,
    advisoryRoutes(deps),
    sharingRoutes,
    intelRoutes(deps),
    taxiiRoutes(deps),
    taxiiPublicRoutes(deps),
    feedRoutes(deps),
    mispRoutes(deps),
    catalogRoutes(deps),
    controlRoutes(deps),
    soaRoutes,
  ] as unknown as FastifyPluginAsync[];
}
