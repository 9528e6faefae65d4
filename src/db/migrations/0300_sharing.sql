-- Sharing: sharing groups and the ONE visibility predicate every intel read
-- path goes through (TLP 2.0 + sharing groups + named recipients).
--
-- sharing_groups belong to the org that runs them. Membership rows are keyed
-- by the MEMBER org (org_id = the member), so "which groups am I in" is a
-- tenant-local lookup; the owner manages them through owner_org_id.

CREATE TABLE sharing_groups (
  org_id       uuid NOT NULL REFERENCES orgs(id),
  id           uuid NOT NULL,
  name         text NOT NULL,
  description  text NOT NULL DEFAULT '',
  hide_members boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX sharing_groups_id ON sharing_groups (id);

CREATE TABLE sharing_group_members (
  org_id       uuid NOT NULL REFERENCES orgs(id),  -- the member org
  group_id     uuid NOT NULL,
  owner_org_id uuid NOT NULL REFERENCES orgs(id),
  added_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, group_id),
  FOREIGN KEY (owner_org_id, group_id) REFERENCES sharing_groups (org_id, id) ON DELETE CASCADE
);
CREATE INDEX sharing_group_members_owner ON sharing_group_members (owner_org_id, group_id);

-- The groups an org belongs to (or runs). SECURITY DEFINER so the policies
-- below can consult membership without recursing through RLS; it answers
-- only ids, for exactly the org it is asked about.
CREATE FUNCTION org_sharing_groups(p_org uuid) RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}'::uuid[]) FROM (
    SELECT group_id AS g FROM sharing_group_members WHERE org_id = p_org
    UNION ALL
    SELECT id FROM sharing_groups WHERE org_id = p_org
  ) s
$$;
REVOKE ALL ON FUNCTION org_sharing_groups(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION org_sharing_groups(uuid) TO muhafiz_app, muhafiz_system;

-- THE visibility rule (TLP 2.0, FIRST). Every intel table's SELECT policy
-- calls it with the acting org/user; services call it with another viewer
-- (e.g. "may the org being alerted see this match?").
--   owner org          always
--   clear, green       every org on the platform (the platform is the community)
--   amber              recipient orgs and members of any of the object's sharing groups
--   amber+strict       the named recipient orgs only (groups do not widen it)
--   red                the named recipient users only
--   NULL (private)     the owner only
CREATE FUNCTION intel_can_see(v_org uuid, v_user uuid, o_org uuid, tlp text, r_orgs uuid[], r_users uuid[], groups uuid[])
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT o_org = v_org
      OR tlp IN ('clear', 'green')
      OR (tlp = 'amber' AND (v_org = ANY (r_orgs) OR (cardinality(groups) > 0 AND groups && org_sharing_groups(v_org))))
      OR (tlp = 'amber+strict' AND v_org = ANY (r_orgs))
      OR (tlp = 'red' AND v_user IS NOT NULL AND v_user = ANY (r_users))
$$;
GRANT EXECUTE ON FUNCTION intel_can_see(uuid, uuid, uuid, text, uuid[], uuid[], uuid[]) TO muhafiz_app, muhafiz_system;

ALTER TABLE sharing_groups ENABLE ROW LEVEL SECURITY;
ALTER TABLE sharing_groups FORCE ROW LEVEL SECURITY;
CREATE POLICY sharing_groups_owner ON sharing_groups USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
CREATE POLICY sharing_groups_member ON sharing_groups FOR SELECT USING (id = ANY (org_sharing_groups(app_org_id())));
GRANT SELECT, INSERT, UPDATE, DELETE ON sharing_groups TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON sharing_groups TO muhafiz_system;

-- A member sees its own membership row; it sees the other members only when
-- the group does not hide its membership. The owner manages every row.
CREATE FUNCTION sharing_group_hides_members(p_group uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT coalesce((SELECT hide_members FROM sharing_groups WHERE id = p_group), true)
$$;
REVOKE ALL ON FUNCTION sharing_group_hides_members(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sharing_group_hides_members(uuid) TO muhafiz_app, muhafiz_system;

ALTER TABLE sharing_group_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE sharing_group_members FORCE ROW LEVEL SECURITY;
CREATE POLICY sgm_owner ON sharing_group_members USING (owner_org_id = app_org_id()) WITH CHECK (owner_org_id = app_org_id());
CREATE POLICY sgm_self ON sharing_group_members FOR SELECT USING (org_id = app_org_id());
CREATE POLICY sgm_fellow ON sharing_group_members FOR SELECT
  USING (group_id = ANY (org_sharing_groups(app_org_id())) AND NOT sharing_group_hides_members(group_id));
GRANT SELECT, INSERT, DELETE ON sharing_group_members TO muhafiz_app;
GRANT SELECT, INSERT, DELETE ON sharing_group_members TO muhafiz_system;
