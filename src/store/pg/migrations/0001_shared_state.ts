/** What several replicas and workers share: the audit chain, the EvoMap outbox, fix state and the dedupe set. */
export const description = "audit chain, EvoMap outbox, fix state, comment claims, dedupe set";

export const up = `
-- The audit chain: one row per entry. 'line' is the entry's JSON exactly as hashed and verified;
-- the other columns index it. seq and prev_hash are unique: two writers can never fork the chain.
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  hash char(64) NOT NULL UNIQUE,
  prev_hash char(64) NOT NULL UNIQUE,
  action text NOT NULL,
  line text NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_checkpoints ON audit_log (seq) WHERE action = 'audit.checkpoint';

-- EvoMap bundles waiting for (or having had) the hub's decision. A row is claimed for an attempt
-- with FOR UPDATE SKIP LOCKED and a lease; a worker that dies leaves it claimable when the lease ends.
CREATE TABLE evomap_outbox (
  key text PRIMARY KEY,
  bundle text NOT NULL,
  context text NOT NULL,
  status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'decided', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  decision text,
  claimed_by text,
  lease_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evomap_outbox_due ON evomap_outbox (next_attempt_at) WHERE status = 'waiting';

-- Fix PRs Insight opened: written only by Insight, compare-and-set on the record's version.
CREATE TABLE fix_state (
  repo text NOT NULL,
  pull integer NOT NULL,
  version integer NOT NULL,
  record text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repo, pull)
);

-- Comments spent by a decision (approve, reject): each counts once.
CREATE TABLE fix_comment_claims (
  repo text NOT NULL,
  comment_id bigint NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repo, comment_id)
);

-- Webhook deliveries and job ids already taken, until they expire.
CREATE TABLE dedupe (
  key text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX dedupe_expiry ON dedupe (expires_at);
`;
