-- Risks: a scoring method per org, risk scenarios with inherent / current /
-- residual scores, treatment tasks linked to Annex A controls, acceptances
-- signed by the risk owner, reviews, score history and reminder bookkeeping.

-- One method per org. Scales and matrix are JSON validated by the service:
--   likelihood / impact: [{ "value": 1, "name": "Rare", "description": "..." }, ...] (3..5 levels)
--   levels: [{ "key": "low", "name": "Low", "colour": "#2e7d32" }, ...] (lowest first)
--   matrix: matrix[l-1][i-1] = level key
CREATE TABLE risk_methods (
  org_id          uuid PRIMARY KEY REFERENCES orgs(id),
  name            text NOT NULL,
  likelihood      jsonb NOT NULL,
  impact          jsonb NOT NULL,
  levels          jsonb NOT NULL,
  matrix          jsonb NOT NULL,
  appetite_level  text NOT NULL,
  tolerance_level text NOT NULL,
  version         integer NOT NULL,
  updated_at      timestamptz NOT NULL,
  updated_by      uuid REFERENCES users(id)
);
ALTER TABLE risk_methods ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_methods FORCE ROW LEVEL SECURITY;
CREATE POLICY risk_methods_tenant ON risk_methods USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON risk_methods TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON risk_methods TO muhafiz_system;

CREATE TABLE risks (
  org_id             uuid NOT NULL REFERENCES orgs(id),
  id                 uuid NOT NULL,
  ref                text NOT NULL,
  title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  description        text NOT NULL DEFAULT '',
  threat             text NOT NULL DEFAULT '',
  vulnerability      text NOT NULL DEFAULT '',
  impact_c           boolean NOT NULL DEFAULT false,
  impact_i           boolean NOT NULL DEFAULT false,
  impact_a           boolean NOT NULL DEFAULT false,
  owner_id           uuid NOT NULL REFERENCES users(id),
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
  inherent_l         smallint NOT NULL,
  inherent_i         smallint NOT NULL,
  inherent_score     smallint NOT NULL,
  inherent_level     text NOT NULL,
  current_l          smallint NOT NULL,
  current_i          smallint NOT NULL,
  current_score      smallint NOT NULL,
  current_level      text NOT NULL,
  residual_l         smallint,
  residual_i         smallint,
  residual_score     smallint,
  residual_level     text,
  treatment          text CHECK (treatment IN ('modify','retain','avoid','share')),
  treatment_note     text NOT NULL DEFAULT '',
  review_due_on      date,
  last_reviewed_at   timestamptz,
  method_version     integer NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  CHECK ((residual_l IS NULL) = (residual_i IS NULL))
);
CREATE UNIQUE INDEX risks_ref ON risks (org_id, ref);
CREATE INDEX risks_owner ON risks (org_id, owner_id);
CREATE INDEX risks_level ON risks (org_id, current_level);
CREATE INDEX risks_review_due ON risks (org_id, review_due_on) WHERE status = 'open';
ALTER TABLE risks ENABLE ROW LEVEL SECURITY;
ALTER TABLE risks FORCE ROW LEVEL SECURITY;
CREATE POLICY risks_tenant ON risks USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON risks TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON risks TO muhafiz_system;

-- Assets a risk scenario affects. No cascade from assets: deleting an asset
-- that a risk names is refused (ASSET_IN_USE).
CREATE TABLE risk_assets (
  org_id   uuid NOT NULL,
  risk_id  uuid NOT NULL,
  asset_id uuid NOT NULL,
  PRIMARY KEY (org_id, risk_id, asset_id),
  FOREIGN KEY (org_id, risk_id) REFERENCES risks (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, asset_id) REFERENCES assets (org_id, id)
);
CREATE INDEX risk_assets_asset ON risk_assets (org_id, asset_id);
ALTER TABLE risk_assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_assets FORCE ROW LEVEL SECURITY;
CREATE POLICY risk_assets_tenant ON risk_assets USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, DELETE ON risk_assets TO muhafiz_app;
GRANT SELECT, INSERT, DELETE ON risk_assets TO muhafiz_system;

-- Treatment plan: tasks, each linked to Annex A controls ("A.8.7").
CREATE TABLE risk_tasks (
  org_id       uuid NOT NULL,
  id           uuid NOT NULL,
  risk_id      uuid NOT NULL,
  title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  control_ids  text[] NOT NULL DEFAULT '{}',
  owner_id     uuid REFERENCES users(id),
  due_on       date,
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','done','cancelled')),
  completed_at timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, risk_id) REFERENCES risks (org_id, id) ON DELETE CASCADE
);
CREATE INDEX risk_tasks_risk ON risk_tasks (org_id, risk_id);
CREATE INDEX risk_tasks_due ON risk_tasks (org_id, due_on) WHERE status IN ('open','in_progress');
ALTER TABLE risk_tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_tasks FORCE ROW LEVEL SECURITY;
CREATE POLICY risk_tasks_tenant ON risk_tasks USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON risk_tasks TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON risk_tasks TO muhafiz_system;

-- Acceptance of the (residual) risk, signed by the risk owner.
CREATE TABLE risk_acceptances (
  org_id      uuid NOT NULL,
  id          uuid NOT NULL,
  risk_id     uuid NOT NULL,
  accepted_by uuid NOT NULL REFERENCES users(id),
  accepted_at timestamptz NOT NULL,
  rationale   text NOT NULL CHECK (length(rationale) >= 10),
  expires_on  date NOT NULL,
  level       text NOT NULL,
  score       smallint NOT NULL,
  revoked_at  timestamptz,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, risk_id) REFERENCES risks (org_id, id) ON DELETE CASCADE
);
CREATE INDEX risk_acceptances_risk ON risk_acceptances (org_id, risk_id, accepted_at DESC);
CREATE INDEX risk_acceptances_expiry ON risk_acceptances (org_id, expires_on) WHERE revoked_at IS NULL;
ALTER TABLE risk_acceptances ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_acceptances FORCE ROW LEVEL SECURITY;
CREATE POLICY risk_acceptances_tenant ON risk_acceptances USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE (revoked_at) ON risk_acceptances TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON risk_acceptances TO muhafiz_system;

-- Reviews: periodic ones and those other domains open (an incident's lessons).
CREATE TABLE risk_reviews (
  org_id       uuid NOT NULL,
  id           uuid NOT NULL,
  risk_id      uuid NOT NULL,
  source_type  text NOT NULL CHECK (source_type IN ('periodic','incident','audit','manual')),
  source_id    text,
  note         text NOT NULL DEFAULT '',
  opened_at    timestamptz NOT NULL,
  opened_by    uuid REFERENCES users(id),
  completed_at timestamptz,
  completed_by uuid REFERENCES users(id),
  outcome      text NOT NULL DEFAULT '',
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, risk_id) REFERENCES risks (org_id, id) ON DELETE CASCADE
);
CREATE INDEX risk_reviews_risk ON risk_reviews (org_id, risk_id, opened_at DESC);
CREATE INDEX risk_reviews_source ON risk_reviews (org_id, source_type, source_id);
ALTER TABLE risk_reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_reviews FORCE ROW LEVEL SECURITY;
CREATE POLICY risk_reviews_tenant ON risk_reviews USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON risk_reviews TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON risk_reviews TO muhafiz_system;

-- Every scoring of a risk: creation, edits, reviews and method changes.
CREATE TABLE risk_score_history (
  org_id         uuid NOT NULL,
  id             uuid NOT NULL,
  risk_id        uuid NOT NULL,
  at             timestamptz NOT NULL,
  reason         text NOT NULL CHECK (reason IN ('created','updated','method_change','review')),
  method_version integer NOT NULL,
  actor_label    text NOT NULL,
  scores         jsonb NOT NULL,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, risk_id) REFERENCES risks (org_id, id) ON DELETE CASCADE
);
CREATE INDEX risk_score_history_risk ON risk_score_history (org_id, risk_id, at);
ALTER TABLE risk_score_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_score_history FORCE ROW LEVEL SECURITY;
CREATE POLICY risk_score_history_tenant ON risk_score_history USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON risk_score_history TO muhafiz_app;
GRANT SELECT, INSERT ON risk_score_history TO muhafiz_system;

-- Reminders already sent (one per item, kind and due date), so the daily scan
-- notifies once, not every day, and a moved date reminds again.
CREATE TABLE risk_reminders (
  org_id    uuid NOT NULL,
  kind      text NOT NULL,
  entity_id uuid NOT NULL,
  due_on    date NOT NULL,
  sent_at   timestamptz NOT NULL,
  PRIMARY KEY (org_id, kind, entity_id, due_on)
);
ALTER TABLE risk_reminders ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_reminders FORCE ROW LEVEL SECURITY;
CREATE POLICY risk_reminders_tenant ON risk_reminders USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON risk_reminders TO muhafiz_system;
