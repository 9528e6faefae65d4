/**
 * Domains that add demo data import their `demo.ts` here (one line each),
 * which calls registerDemoExtension at module load. They run in this order:
 * the ISMS (assets, risks, policies), the SoA, threat intelligence, then the
 * CERT (its incidents link ISMS assets and repeat intel values, so they
 * correlate).
 */
export {};
import '../domains/risks/demo.js';
import '../domains/soa/demo.js';
import '../domains/intel/demo.js';
import '../domains/incidents/demo.js';
