-- Catalogs: frameworks as data. A framework is a tree of requirements
-- (clause / theme / control / function / category / subcategory / group /
-- enhancement), each with a ref unique in its framework, a title, a
-- statement (the publisher's wording where it is public domain), our own
-- guidance, typed attributes (attribute type -> values) and free detail
-- (OSCAL params, parts, links). Mappings relate requirements of two
-- frameworks (equal, subset, superset, intersect) and name their source.
--
-- These are reference data shared by every organisation (shipped catalogs
-- and catalogs a platform administrator imports), so there is no org_id and
-- no row-level security: every signed-in role may read them; only
-- muhafiz_system writes them (imports lift to it with asSystem after
-- authorising the platform administrator).

CREATE TABLE catalog_frameworks (
  key               text PRIMARY KEY CHECK (key ~ '^[a-z0-9][a-z0-9.-]{1,62}$'),
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
  version           text NOT NULL DEFAULT '',
  publisher         text NOT NULL DEFAULT '',
  description       text NOT NULL DEFAULT '',
  origin            text NOT NULL CHECK (origin IN ('shipped', 'imported')),
  source            text NOT NULL DEFAULT '',
  oscal_version     text,
  digest            text,
  requirement_count integer NOT NULL DEFAULT 0,
  imported_at       timestamptz NOT NULL DEFAULT now(),
  imported_by       uuid REFERENCES users(id)
);
GRANT SELECT ON catalog_frameworks TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON catalog_frameworks TO muhafiz_system;

CREATE TABLE catalog_requirements (
  framework_key text NOT NULL REFERENCES catalog_frameworks(key) ON DELETE CASCADE,
  ref           text NOT NULL CHECK (length(ref) BETWEEN 1 AND 100),
  parent_ref    text,
  kind          text NOT NULL CHECK (kind ~ '^[a-z][a-z_-]{0,39}$'),
  title         text NOT NULL,
  statement     text NOT NULL DEFAULT '',
  guidance      text NOT NULL DEFAULT '',
  theme         text,
  is_new        boolean NOT NULL DEFAULT false,
  attributes    jsonb NOT NULL DEFAULT '{}'::jsonb,
  detail        jsonb NOT NULL DEFAULT '{}'::jsonb,
  position      integer NOT NULL,
  depth         smallint NOT NULL DEFAULT 0,
  PRIMARY KEY (framework_key, ref),
  FOREIGN KEY (framework_key, parent_ref) REFERENCES catalog_requirements (framework_key, ref) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX catalog_requirements_position ON catalog_requirements (framework_key, position);
CREATE INDEX catalog_requirements_parent ON catalog_requirements (framework_key, parent_ref);
CREATE INDEX catalog_requirements_kind ON catalog_requirements (framework_key, kind, position);
CREATE INDEX catalog_requirements_attributes ON catalog_requirements USING gin (attributes jsonb_path_ops);
GRANT SELECT ON catalog_requirements TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON catalog_requirements TO muhafiz_system;

CREATE TABLE catalog_mappings (
  from_framework text NOT NULL,
  from_ref       text NOT NULL,
  to_framework   text NOT NULL,
  to_ref         text NOT NULL,
  relationship   text NOT NULL CHECK (relationship IN ('equal', 'subset', 'superset', 'intersect')),
  source         text NOT NULL,
  note           text NOT NULL DEFAULT '',
  PRIMARY KEY (from_framework, from_ref, to_framework, to_ref),
  FOREIGN KEY (from_framework, from_ref) REFERENCES catalog_requirements (framework_key, ref) ON DELETE CASCADE,
  FOREIGN KEY (to_framework, to_ref) REFERENCES catalog_requirements (framework_key, ref) ON DELETE CASCADE,
  CHECK (from_framework <> to_framework)
);
CREATE INDEX catalog_mappings_reverse ON catalog_mappings (to_framework, to_ref, from_framework);
GRANT SELECT ON catalog_mappings TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON catalog_mappings TO muhafiz_system;
