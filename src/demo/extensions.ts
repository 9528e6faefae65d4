/**
 * Domains that add demo data import their `demo.ts` here (one line each),
 * which calls registerDemoExtension at module load. Example:
 *   import '../domains/isms/demo.js';
 */
export {};
import '../domains/soa/demo.js';
