import { PGlite } from '@electric-sql/pglite';
const db = await PGlite.create('/tmp/muhafiz-bench-taxii-reGqzk');
const org = (await db.query<{id:string}>("select id::text from orgs where kind='cert' limit 1")).rows[0]!.id;
await db.query('begin');
await db.query(`select set_config('role','muhafiz_app',true), set_config('app.org_id', '${org}', true), set_config('app.user_id','',true)`);
const q = `explain analyze select o.stix_id, o.version, o.doc::text as doc, o.spec_version
  from stix_objects o
 where true and (o.added_at, o.stix_id, o.version) > ('2000-01-01'::timestamptz, '', '')
   and not exists (select 1 from (select * from stix_objects o where true) d where d.stix_id = o.stix_id and d.version = o.version and (d.added_at, d.org_id) < (o.added_at, o.org_id))
   and ( not exists (select 1 from (select * from stix_objects o where true) n where n.stix_id = o.stix_id and n.version <> o.version
            and ((n.modified is not null and o.modified is null) or n.modified > o.modified or (n.modified is not distinct from o.modified and n.version > o.version))))
 order by o.added_at, o.stix_id, o.version limit 1001`;
for (const r of (await db.query<{'QUERY PLAN':string}>(q)).rows) console.log(r['QUERY PLAN'].slice(0,200));
await db.query('rollback');
await db.query('analyze stix_objects');
await db.query('begin');
await db.query(`select set_config('role','muhafiz_app',true), set_config('app.org_id', '${org}', true), set_config('app.user_id','',true)`);
for (const r of (await db.query<{'QUERY PLAN':string}>(q)).rows) console.log(r['QUERY PLAN'].slice(0,200));
