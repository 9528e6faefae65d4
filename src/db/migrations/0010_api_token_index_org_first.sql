-- Bearer tokens are looked up by (org_id, token_hash) (auth_token() takes both: the
-- org is named inside the token), so the index can lead with org_id like every
-- other tenant index (the schema stays distributable by org_id).
DROP INDEX api_tokens_hash;
CREATE INDEX api_tokens_hash ON api_tokens (org_id, token_hash);
