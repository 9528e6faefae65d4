import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../helpers/app.js';
import { TEST_DRIVER } from '../helpers/db.js';

/**
 * The tenancy rules for every table, read from the catalog so a new table
 * cannot forget them: a table with an `org_id` column has it first in its
 * primary key and in every index, RLS enabled and forced, at least one
 * policy, no grant to PUBLIC, and no owner among the runtime roles.
 */
/**
 * Tables that carry an org_id as an attribute but are not tenant-owned: the
 * runtime role cannot read them (except the public org directory), and they stay
 * local/reference tables on a distributed cluster.
 */
const PLATFORM_TABLES: Record<string, string> = {
  sessions: 'belongs to a user; org_id is the acting org; only muhafiz_system reads it',
  jobs: 'the platform job queue; muhafiz_app may only INSERT',
  mail_outbox: 'the platform outbox; muhafiz_app may only INSERT',
  org_relations: 'the public directory of supervises/serves relations; muhafiz_app may only SELECT',
};

/**
 * Secondary indexes that deliberately do not lead with org_id because the
 * query they serve crosses tenants by design. All are non-unique (a distributed
 * cluster requires org_id only in unique indexes); each one is listed so a new
 * index cannot silently break the rule.
 */
const CROSS_TENANT_INDEXES: Record<string, string> = {
  memberships_user: "a user's organisations (org switcher, sign-in)",
  invitations_token: 'accepting an invitation link, before the org is known',
  incidents_cert_queue: "the CERT's triage queue over its constituency",
  incidents_cert_due: "the CERT's deadline filters over its constituency",
  incidents_cert_counts: "the CERT's queue totals as index-only scans over its constituency",
  incidents_cert_created_order: "the CERT's queue page 1 in newest-first order without sorting the constituency",
  incidents_cert_deadline_order: "the CERT's queue page 1 in deadline order without sorting the constituency",
  incidents_cert_stats: "the CERT's statistics and deadline adherence as index-only scans over its constituency (0205)",
  incidents_title_trgm: "free-text queue search (trigram) for incident_text_matches, which filters to what the acting org may read (0206)",
  incidents_ref_trgm: "free-text queue search (trigram) for incident_text_matches, which filters to what the acting org may read (0206)",
  advisory_recipients_cert: "the CERT's per-org acknowledgement progress",
  // Threat exchange (branch intel): correlation and sharing across producers.
  intel_observables_stix_value: "exact-match correlation across producers, indicators' half (0325)",
  intel_observables_own_value: "exact-match correlation across producers, incidents' and watchlists' half (0325)",
  intel_observables_stix_ip: "CIDR correlation across producers, indicators' half (0325)",
  intel_observables_own_ip: "CIDR correlation across producers, incidents' and watchlists' half (0325)",
  intel_observables_ranges: 'stored CIDR ranges that may contain an address, across producers (0320)',
  stix_objects_stix_id: 'one STIX id across producers: versions and TAXII object-by-id (0321)',
  stix_objects_taxii_page: 'TAXII collection pages in date-added cursor order across producers (0321)',
  intel_matches_b: 'matches seen from the other side',
  intel_sightings_indicator: 'sightings of one indicator across orgs',
  sharing_group_members_owner: "a sharing group's members seen by its owner",
  sharing_groups_id: 'UNIQUE (id) without org_id: not distributable as is (reported, intel)',
  intel_identities_identity: 'UNIQUE (identity_id) without org_id: one org per identity (reported, intel)',
};

describe(`schema tenancy rules (${TEST_DRIVER})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(async () => t.close());

  interface TableRow {
    table: string;
    rls: boolean;
    forced: boolean;
    policies: number;
    owner: string;
  }
  interface IndexRow {
    table: string;
    index: string;
    primary: boolean;
    first_col: string | null;
    expr: boolean;
  }

  async function tenantTables(): Promise<TableRow[]> {
    const r = await sql<TableRow>`
      select c.relname as "table", c.relrowsecurity as rls, c.relforcerowsecurity as forced,
             (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies,
             pg_get_userbyid(c.relowner) as owner
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = current_schema() and c.relkind in ('r', 'p')
         and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped)
       order by 1`.execute(t.rt.db.kysely);
    return r.rows;
  }

  it('finds the tenant tables (the catalog query is not vacuous)', async () => {
    const tables = (await tenantTables()).map((r) => r.table);
    // A few tables every issue relies on; if the query broke, these would vanish.
    for (const name of ['memberships', 'audit_log', 'incidents', 'advisories', 'api_tokens']) expect(tables).toContain(name);
    expect(tables.length).toBeGreaterThan(30);
  });

  it('every table with org_id has RLS enabled and forced, a policy, and a non-runtime owner', async () => {
    const bad = (await tenantTables())
      .filter((r) => !(r.table in PLATFORM_TABLES))
      .filter((r) => !r.rls || !r.forced || r.policies === 0 || r.owner === 'muhafiz_app' || r.owner === 'muhafiz_system')
      .map((r) => `${r.table}: rls=${r.rls} forced=${r.forced} policies=${r.policies} owner=${r.owner}`);
    expect(bad).toEqual([]);
  });

  it('every table with org_id has a primary key and org_id first in it and in every index', async () => {
    const tables = (await tenantTables()).map((r) => r.table);
    const r = await sql<IndexRow>`
      select t.relname as "table", i.relname as "index", x.indisprimary as primary,
             (select a.attname from pg_attribute a where a.attrelid = t.oid and a.attnum = x.indkey[0]) as first_col,
             (x.indkey[0] = 0) as expr
        from pg_index x
        join pg_class i on i.oid = x.indexrelid
        join pg_class t on t.oid = x.indrelid
        join pg_namespace n on n.oid = t.relnamespace
       where n.nspname = current_schema()
       order by 1, 2`.execute(t.rt.db.kysely);
    const byTable = new Map<string, IndexRow[]>();
    for (const row of r.rows) byTable.set(row.table, [...(byTable.get(row.table) ?? []), row]);
    const problems: string[] = [];
    const used = new Set<string>();
    for (const table of tables) {
      if (table in PLATFORM_TABLES) continue;
      const idx = byTable.get(table) ?? [];
      const pk = idx.find((i) => i.primary);
      if (!pk || pk.first_col !== 'org_id') problems.push(`${table}: primary key ${pk ? `starts with ${pk.first_col}` : 'missing'}`);
      for (const i of idx) {
        if (i.primary || (!i.expr && i.first_col === 'org_id')) continue;
        if (i.index in CROSS_TENANT_INDEXES) {
          used.add(i.index);
          continue;
        }
        problems.push(`${table}.${i.index}: first column ${i.expr ? '(expression)' : i.first_col}`);
      }
    }
    expect(problems).toEqual([]);
    // The exception list stays exact: an index fixed or dropped must leave it.
    expect(Object.keys(CROSS_TENANT_INDEXES).filter((n) => !used.has(n))).toEqual([]);
  });

  it('nothing is granted to PUBLIC on a tenant table, and the app role owns no table at all', async () => {
    const pub = await sql<{ table: string }>`
      select distinct table_name as "table" from information_schema.role_table_grants
       where grantee = 'PUBLIC' and table_schema = current_schema()`.execute(t.rt.db.kysely);
    const tenant = new Set((await tenantTables()).map((r) => r.table));
    expect(pub.rows.map((r) => r.table).filter((n) => tenant.has(n))).toEqual([]);
    const owned = await sql<{ n: number }>`
      select count(*)::int as n from pg_class where relowner in (select oid from pg_roles where rolname in ('muhafiz_app', 'muhafiz_system'))`.execute(t.rt.db.kysely);
    expect(owned.rows[0]!.n).toBe(0);
  });

  it('the platform tables are out of the runtime role\'s reach as described', async () => {
    const priv = await sql<{ table: string; sel: boolean; upd: boolean; del: boolean }>`
      select t as "table", has_table_privilege('muhafiz_app', t, 'SELECT') as sel,
             has_table_privilege('muhafiz_app', t, 'UPDATE') as upd, has_table_privilege('muhafiz_app', t, 'DELETE') as del
        from unnest(${Object.keys(PLATFORM_TABLES)}::text[]) as t order by 1`.execute(t.rt.db.kysely);
    expect(priv.rows).toEqual([
      { table: 'jobs', sel: false, upd: false, del: false },
      { table: 'mail_outbox', sel: false, upd: false, del: false },
      { table: 'org_relations', sel: true, upd: false, del: false },
      { table: 'sessions', sel: false, upd: false, del: false },
    ]);
  });
  it('no policy opens a table to every tenant except the public directories', async () => {
    const open = await sql<{ name: string }>`
      select tablename || '.' || policyname as name from pg_policies
       where schemaname = current_schema() and permissive = 'PERMISSIVE' and cmd in ('SELECT', 'ALL') and btrim(qual) = 'true'
       order by 1`.execute(t.rt.db.kysely);
    // orgs: the directory of organisations; intel_identities: which org claimed a STIX identity.
    expect(open.rows.map((r) => r.name)).toEqual(['intel_identities.intel_identities_read', 'orgs.orgs_read']);
  });
});
