-- trainerd cluster mode: metadata shared by every replica. Blobs (data set files, models) live in
-- the object store; rows here name them. Records are the API's own messages (bytea) or JSON, as
-- the embedded store writes them; the columns beside them are what queries select on.

CREATE TABLE replicas (
  id          text PRIMARY KEY,
  has_gpu     boolean NOT NULL,
  capacity    integer NOT NULL,
  running     integer NOT NULL,
  expires_at  timestamptz NOT NULL
);

CREATE TABLE jobs (
  id              text PRIMARY KEY,
  request_id      text,
  state           text NOT NULL,
  create_time     timestamptz NOT NULL,
  needs_gpu       boolean NOT NULL,
  dataset_ids     text[] NOT NULL,
  -- The replica holding a RUNNING or CANCELLING job, and until when; NULL otherwise.
  owner           text,
  lease_expires   timestamptz,
  -- How many times the job was claimed: the fencing token of the current claim.
  attempt         integer NOT NULL DEFAULT 0,
  -- The last history sequence number written.
  last_sequence   bigint NOT NULL,
  record          bytea NOT NULL,
  CONSTRAINT jobs_lease_only_while_running
    CHECK ((state IN ('RUNNING', 'CANCELLING')) = (owner IS NOT NULL AND lease_expires IS NOT NULL))
);
CREATE UNIQUE INDEX jobs_request_id ON jobs (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX jobs_queue ON jobs (create_time, id) WHERE state = 'QUEUED';
CREATE INDEX jobs_leases ON jobs (lease_expires) WHERE state IN ('RUNNING', 'CANCELLING');

CREATE TABLE job_events (
  job_id    text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  sequence  bigint NOT NULL,
  attempt   integer NOT NULL,
  event     bytea NOT NULL,
  PRIMARY KEY (job_id, sequence)
);

CREATE TABLE datasets (
  id           text PRIMARY KEY,
  create_time  timestamptz NOT NULL,
  bytes        bigint NOT NULL,
  -- Content hashes of its files: the object keys of its blobs.
  blobs        text[] NOT NULL,
  record       text NOT NULL
);
CREATE INDEX datasets_blobs ON datasets USING gin (blobs);

CREATE TABLE models (
  id           text PRIMARY KEY,
  job_id       text NOT NULL,
  create_time  timestamptz NOT NULL,
  bytes        bigint NOT NULL
);
