/**
 * Rebuilds the shipped catalog data from the reference data in ../shared/data:
 *
 *   src/domains/catalogs/data/nist-csf-2.0.json              <- nist-csf-2.0/NIST_CSF_v2.0_catalog.converted-from-xml.json
 *   src/domains/catalogs/data/csf2.0-to-iso27001-2022.json   <- mappings/derived_csf2.0-to-iso27001-2022.json
 *   src/db/migrations/0101_catalog_seed.sql                  <- the two above + data/iso27001-2022.ts
 *
 * Usage: npx tsx scripts/catalogs/build-seed.ts [--check]
 * --check writes nothing and exits 1 when a committed file differs. Once a
 * migration is applied anywhere it must not change: data fixes go into a new
 * migration (see docs/catalogs.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fromRoot } from '../../src/core/paths.js';
import { ISO27001_FRAMEWORK, iso27001Requirements } from '../../src/domains/catalogs/data/iso27001-2022.js';
import { convertCsf, convertCsfIsoMapping, type DerivedMappingRow } from '../../src/domains/catalogs/shipped.js';
import { SEED_HEADER, seedSql } from '../../src/domains/catalogs/seed-sql.js';
import { sharedData } from '../../test/helpers/shared-data.js';

const check = process.argv.includes('--check');
const csf = convertCsf(JSON.parse(readFileSync(sharedData('nist-csf-2.0/NIST_CSF_v2.0_catalog.converted-from-xml.json'), 'utf8')));
const derived = JSON.parse(readFileSync(sharedData('mappings/derived_csf2.0-to-iso27001-2022.json'), 'utf8')) as { source: string; mappings: DerivedMappingRow[] };
const mappings = convertCsfIsoMapping(derived.mappings, csf);
const iso = { framework: ISO27001_FRAMEWORK, requirements: iso27001Requirements() };

const outputs: Array<[string, string]> = [
  ['src/domains/catalogs/data/nist-csf-2.0.json', `${JSON.stringify(csf, null, 1)}\n`],
  ['src/domains/catalogs/data/csf2.0-to-iso27001-2022.json', `${JSON.stringify({ source: derived.source, count: mappings.length, mappings }, null, 1)}\n`],
  ['src/db/migrations/0101_catalog_seed.sql', seedSql([iso, csf], mappings, SEED_HEADER)],
];
let differs = 0;
for (const [path, text] of outputs) {
  let prior = '';
  try {
    prior = readFileSync(fromRoot(path), 'utf8');
  } catch {
    /* new file */
  }
  if (prior === text) continue;
  differs++;
  if (check) console.error(`${path} differs from what the data produces`);
  else writeFileSync(fromRoot(path), text);
}
const count = (k: string) => csf.requirements.filter((r) => r.kind === k).length;
process.stdout.write(`ISO/IEC 27001:2022 ${iso.requirements.length} requirements; CSF 2.0 ${count('function')} functions, ${count('category')} categories, ${count('subcategory')} subcategories; ${mappings.length} mappings; ${differs} file(s) ${check ? 'differ' : 'written'}\n`);
if (check && differs) process.exitCode = 1;
