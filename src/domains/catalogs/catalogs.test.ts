import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../core/paths.js';
import { sharedData } from '../../../test/helpers/shared-data.js';
import { ISO27001_FRAMEWORK, ISO27002_ATTRIBUTES, iso27001Requirements } from './data/iso27001-2022.js';
import { inverseRelationship, slugKey } from './model.js';
import { firstDuplicateRef, oscalRequirements, type OscalCatalogDocument } from './oscal.js';
import { jsonPath, schemaVersionFor, validateOscalCatalog } from './oscal-validate.js';
import { SEED_HEADER, seedSql } from './seed-sql.js';
import { convertCsf, convertCsfIsoMapping, type DerivedMappingRow } from './shipped.js';

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as unknown;

describe('ISO/IEC 27001:2022 data', () => {
  const reqs = iso27001Requirements();
  const controls = reqs.filter((r) => r.kind === 'control');

  it('has 93 controls whose attribute values all come from the ISO/IEC 27002 vocabularies', () => {
    expect(controls).toHaveLength(93);
    for (const c of controls) {
      for (const [type, values] of Object.entries(ISO27002_ATTRIBUTES)) {
        const got = c.attributes[type] ?? [];
        expect(got.length, `${c.ref} ${type}`).toBeGreaterThan(0);
        for (const v of got) expect(values as readonly string[], `${c.ref} ${type}`).toContain(v);
      }
    }
  });

  it('has unique refs and parents that exist before their children', () => {
    const seen = new Set<string>();
    for (const r of reqs) {
      expect(seen.has(r.ref)).toBe(false);
      if (r.parentRef) expect(seen.has(r.parentRef), r.ref).toBe(true);
      seen.add(r.ref);
    }
  });
});

describe('OSCAL conversion', () => {
  const basic = readJson(sharedData('oscal/content/examples/basic-catalog.json')) as OscalCatalogDocument;

  it('flattens groups and nested controls with JSON paths, labels and rendered params', () => {
    const doc: OscalCatalogDocument = {
      catalog: {
        uuid: '00000000-0000-4000-8000-000000000000',
        metadata: { title: 'T', version: '1', 'oscal-version': '1.1.2' },
        groups: [
          {
            id: 'ac',
            title: 'Access',
            controls: [
              {
                id: 'ac-1',
                title: 'Policy',
                params: [{ id: 'ac-1_prm_1', label: 'frequency' }],
                props: [{ name: 'label', value: 'AC-1' }, { name: 'status', value: 'active' }],
                parts: [{ id: 'ac-1_smt', name: 'statement', parts: [{ id: 'ac-1_smt.a', name: 'item', props: [{ name: 'label', value: 'a.' }], prose: 'Review every {{ insert: param, ac-1_prm_1 }}.' }] }],
                controls: [{ id: 'ac-1.1', title: 'Enhancement', parts: [{ id: 'g', name: 'guidance', prose: 'Why.' }] }],
              },
            ],
          },
        ],
      },
    };
    const { requirements, paths } = oscalRequirements(doc);
    expect(requirements.map((r) => [r.ref, r.kind, r.parentRef])).toEqual([['ac', 'group', null], ['ac-1', 'control', 'ac'], ['ac-1.1', 'enhancement', 'ac-1']]);
    expect(paths).toEqual(['$.catalog.groups[0]', '$.catalog.groups[0].controls[0]', '$.catalog.groups[0].controls[0].controls[0]']);
    expect(requirements[1]).toMatchObject({ statement: 'a. Review every [Assignment: frequency].', attributes: { status: ['active'] }, theme: 'ac', detail: { label: 'AC-1' } });
    expect(requirements[2]!.guidance).toBe('Why.');
  });

  it('finds a duplicate id with its JSON path', () => {
    const conv = oscalRequirements(basic);
    conv.requirements.push({ ...conv.requirements[1]! });
    conv.paths.push('$.catalog.groups[9]');
    expect(firstDuplicateRef(conv)).toEqual({ ref: conv.requirements[1]!.ref, path: '$.catalog.groups[9].id' });
  });

  it('validates against the schema chosen by oscal-version and points at the first problem', () => {
    expect(validateOscalCatalog(basic)).toEqual({ ok: true, schemaVersion: '1.1.2' });
    const broken = structuredClone(basic) as unknown as { catalog: { groups: Array<{ groups: Array<{ controls: Array<Record<string, unknown>> }> }> } };
    delete broken.catalog.groups[0]!.groups[0]!.controls[0]!.title;
    expect(validateOscalCatalog(broken)).toEqual({ ok: false, problem: { path: '$.catalog.groups[0].groups[0].controls[0].title', message: 'is required' } });
    expect(validateOscalCatalog({ profile: {} })).toMatchObject({ ok: false, problem: { path: '$.catalog' } });
    expect(schemaVersionFor('1.0.0')).toBe('1.1.2');
    expect(schemaVersionFor('1.2.1')).toBe('1.2.1');
    expect(schemaVersionFor('2.0.0')).toBeUndefined();
    expect(jsonPath('/catalog/groups/3/props/0/name')).toBe('$.catalog.groups[3].props[0].name');
  });
});

describe('shipped CSF 2.0 and the seed migration', () => {
  it('converts CSF 2.0 and the mapping, and the committed files equal what the data produces', () => {
    const csf = convertCsf(readJson(sharedData('nist-csf-2.0/NIST_CSF_v2.0_catalog.converted-from-xml.json')) as OscalCatalogDocument);
    const derived = readJson(sharedData('mappings/derived_csf2.0-to-iso27001-2022.json')) as { mappings: DerivedMappingRow[] };
    const mappings = convertCsfIsoMapping(derived.mappings, csf);
    expect(csf.requirements.filter((r) => r.kind === 'subcategory')).toHaveLength(106);
    const sql = seedSql([{ framework: ISO27001_FRAMEWORK, requirements: iso27001Requirements() }, csf], mappings, SEED_HEADER);
    expect(sql === readFileSync(fromRoot('src/db/migrations/0101_catalog_seed.sql'), 'utf8'), 'run npx tsx scripts/catalogs/build-seed.ts (and ship changes as a new migration)').toBe(true);
  });
});

describe('small helpers', () => {
  it('slugs keys and inverts relationships', () => {
    expect(slugKey('NIST Special Publication 800-53 Revision 5')).toBe('nist-special-publication-800-53-revision-5');
    expect(slugKey('x')).toBe('catalog-x');
    expect(inverseRelationship('subset')).toBe('superset');
    expect(inverseRelationship('intersect')).toBe('intersect');
  });
});
