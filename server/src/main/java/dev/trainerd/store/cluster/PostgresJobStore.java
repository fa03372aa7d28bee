package dev.trainerd.store.cluster;

import dev.trainerd.jobs.JobCodec;
import dev.trainerd.jobs.JobEvent;
import dev.trainerd.jobs.JobState;
import dev.trainerd.jobs.SharedJobStore;
import dev.trainerd.jobs.TrainingJobRecord;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Jobs in PostgreSQL, shared by every replica. A job is one row of {@code jobs} (the record as the
 * API's message, beside the columns queries select on: state, lease, attempt); its history is the
 * rows of {@code job_events}. Changes lock the job's row ({@code SELECT ... FOR UPDATE}) and
 * compute the new record from what is stored, in one transaction with the history they append.
 * Claims take the oldest queued row with {@code FOR UPDATE SKIP LOCKED}, so replicas claiming at
 * once each get a different job without waiting on one another. Lease times come from the
 * database's clock only, so replicas' clocks need not agree.
 */
public final class PostgresJobStore implements SharedJobStore {
  private static final String ACTIVE_LEASE = "('RUNNING', 'CANCELLING')";

  private final Database db;
  private final JobCodec codec;

  public PostgresJobStore(Database db, JobCodec codec) {
    this.db = db;
    this.codec = codec;
  }

  @Override
  public TrainingJobRecord insert(TrainingJobRecord job, JobEvent first) {
    return db.transaction(
        c -> {
          String requestId = job.requestId().isEmpty() ? null : job.requestId();
          int inserted;
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO jobs (id, request_id, state, create_time, needs_gpu, dataset_ids, last_sequence, record)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                      + " ON CONFLICT (request_id) WHERE request_id IS NOT NULL DO NOTHING")) {
            s.setString(1, job.id());
            s.setString(2, requestId);
            s.setString(3, job.state().name());
            s.setObject(4, OffsetDateTime.ofInstant(job.createTime(), ZoneOffset.UTC));
            s.setBoolean(5, job.spec().needsGpu());
            s.setArray(6, c.createArrayOf("text", job.spec().datasetIds().toArray()));
            s.setLong(7, first.sequence());
            s.setBytes(8, codec.encodeJob(job));
            inserted = s.executeUpdate();
          }
          if (inserted == 0) {
            try (PreparedStatement s = c.prepareStatement("SELECT record FROM jobs WHERE request_id = ?")) {
              s.setString(1, requestId);
              try (ResultSet r = s.executeQuery()) {
                r.next();
                return codec.decodeJob(r.getBytes(1));
              }
            }
          }
          appendEvents(c, job.id(), 0, List.of(first));
          return job;
        });
  }

  @Override
  public Optional<TrainingJobRecord> find(String id) {
    return db.transaction(
        c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT record FROM jobs WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
              return r.next() ? Optional.of(codec.decodeJob(r.getBytes(1))) : Optional.empty();
            }
          }
        });
  }

  @Override
  public List<TrainingJobRecord> list(Set<JobState> states) {
    return db.transaction(
        c -> {
          String sql = "SELECT record FROM jobs" + (states.isEmpty() ? "" : " WHERE state = ANY(?)");
          try (PreparedStatement s = c.prepareStatement(sql)) {
            if (!states.isEmpty()) {
              s.setArray(1, c.createArrayOf("text", states.stream().map(Enum::name).toArray()));
            }
            List<TrainingJobRecord> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
              while (r.next()) {
                out.add(codec.decodeJob(r.getBytes(1)));
              }
            }
            return out;
          }
        });
  }

  @Override
  public long count(JobState state) {
    return db.transaction(
        c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM jobs WHERE state = ?")) {
            s.setString(1, state.name());
            try (ResultSet r = s.executeQuery()) {
              r.next();
              return r.getLong(1);
            }
          }
        });
  }

  @Override
  public boolean isDatasetInUse(String datasetId) {
    return db.transaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT EXISTS (SELECT 1 FROM jobs WHERE state IN ('QUEUED', 'RUNNING', 'CANCELLING')"
                      + " AND ? = ANY(dataset_ids))")) {
            s.setString(1, datasetId);
            try (ResultSet r = s.executeQuery()) {
              r.next();
              return r.getBoolean(1);
            }
          }
        });
  }

  @Override
  public Optional<TrainingJobRecord> update(String id, Guard guard, Change change) {
    return db.transaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT state, owner, attempt, lease_expires < now(), last_sequence, record"
                      + " FROM jobs WHERE id = ? FOR UPDATE")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
              if (!r.next()) {
                return Optional.empty();
              }
              JobState state = JobState.valueOf(r.getString(1));
              String owner = r.getString(2);
              int attempt = r.getInt(3);
              boolean expired = r.getBoolean(4);
              long lastSequence = r.getLong(5);
              if (!holds(guard, state, owner, attempt, expired)) {
                return Optional.empty();
              }
              Result result = change.apply(codec.decodeJob(r.getBytes(6)), lastSequence + 1);
              write(c, id, result, lastSequence, attempt);
              return Optional.of(result.job());
            }
          }
        });
  }

  private static boolean holds(Guard guard, JobState state, String owner, int attempt, boolean expired) {
    boolean leased = state == JobState.RUNNING || state == JobState.CANCELLING;
    if (guard instanceof Guard.InState in) {
      return in.states().contains(state);
    }
    if (guard instanceof Guard.Held held) {
      return leased && held.lease().owner().equals(owner) && held.lease().attempt() == attempt;
    }
    Guard.LeaseExpired le = (Guard.LeaseExpired) guard;
    return leased && expired && le.attempt() == attempt;
  }

  /** Writes a change's record and events; a change out of RUNNING/CANCELLING drops the lease. */
  private void write(Connection c, String id, Result result, long lastSequence, int attempt) throws SQLException {
    JobState next = result.job().state();
    boolean keepsLease = next == JobState.RUNNING || next == JobState.CANCELLING;
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE jobs SET state = ?, record = ?, last_sequence = ?"
                + (keepsLease ? "" : ", owner = NULL, lease_expires = NULL")
                + " WHERE id = ?")) {
      s.setString(1, next.name());
      s.setBytes(2, codec.encodeJob(result.job()));
      s.setLong(3, lastSequence + result.events().size());
      s.setString(4, id);
      s.executeUpdate();
    }
    appendEvents(c, id, attempt, result.events());
  }

  private void appendEvents(Connection c, String id, int attempt, List<JobEvent> events) throws SQLException {
    if (events.isEmpty()) {
      return;
    }
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO job_events (job_id, sequence, attempt, event) VALUES (?, ?, ?, ?)")) {
      for (JobEvent e : events) {
        s.setString(1, id);
        s.setLong(2, e.sequence());
        s.setInt(3, attempt);
        s.setBytes(4, codec.encodeEvent(e));
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  @Override
  public Optional<Claim> claim(String owner, boolean hasGpu, Duration lease, Change toRunning) {
    return db.transaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT id, attempt, last_sequence, record FROM jobs"
                      + " WHERE state = 'QUEUED' AND (NOT needs_gpu OR ?)"
                      + " ORDER BY create_time, id LIMIT 1 FOR UPDATE SKIP LOCKED")) {
            s.setBoolean(1, hasGpu);
            try (ResultSet r = s.executeQuery()) {
              if (!r.next()) {
                return Optional.empty();
              }
              String id = r.getString(1);
              int attempt = r.getInt(2) + 1;
              long lastSequence = r.getLong(3);
              Result result = toRunning.apply(codec.decodeJob(r.getBytes(4)), lastSequence + 1);
              try (PreparedStatement u =
                  c.prepareStatement(
                      "UPDATE jobs SET state = ?, record = ?, last_sequence = ?, owner = ?, attempt = ?,"
                          + " lease_expires = now() + ? * interval '1 millisecond' WHERE id = ?")) {
                u.setString(1, result.job().state().name());
                u.setBytes(2, codec.encodeJob(result.job()));
                u.setLong(3, lastSequence + result.events().size());
                u.setString(4, owner);
                u.setInt(5, attempt);
                u.setLong(6, lease.toMillis());
                u.setString(7, id);
                u.executeUpdate();
              }
              appendEvents(c, id, attempt, result.events());
              return Optional.of(new Claim(result.job(), new Lease(owner, attempt)));
            }
          }
        });
  }

  @Override
  public Optional<JobState> renew(String jobId, Lease lease, Duration duration) {
    return db.transaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE jobs SET lease_expires = now() + ? * interval '1 millisecond'"
                      + " WHERE id = ? AND owner = ? AND attempt = ? AND state IN " + ACTIVE_LEASE
                      + " RETURNING state")) {
            s.setLong(1, duration.toMillis());
            s.setString(2, jobId);
            s.setString(3, lease.owner());
            s.setInt(4, lease.attempt());
            try (ResultSet r = s.executeQuery()) {
              return r.next() ? Optional.of(JobState.valueOf(r.getString(1))) : Optional.empty();
            }
          }
        });
  }

  @Override
  public List<Expired> expired(int limit) {
    return db.transaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT id, attempt FROM jobs WHERE state IN " + ACTIVE_LEASE
                      + " AND lease_expires < now() ORDER BY lease_expires LIMIT ?")) {
            s.setInt(1, limit);
            List<Expired> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
              while (r.next()) {
                out.add(new Expired(r.getString(1), r.getInt(2)));
              }
            }
            return out;
          }
        });
  }

  @Override
  public List<JobEvent> events(String jobId, long afterSequence) {
    return events(Map.of(jobId, afterSequence)).getOrDefault(jobId, List.of());
  }

  @Override
  public Map<String, List<JobEvent>> events(Map<String, Long> afterSequence) {
    if (afterSequence.isEmpty()) {
      return Map.of();
    }
    return db.transaction(
        c -> {
          List<String> ids = new ArrayList<>(afterSequence.keySet());
          Array idArray = c.createArrayOf("text", ids.toArray());
          Array afterArray = c.createArrayOf("bigint", ids.stream().map(afterSequence::get).toArray());
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT e.job_id, e.event FROM job_events e"
                      + " JOIN unnest(?::text[], ?::bigint[]) AS w(job_id, after_sequence)"
                      + " ON e.job_id = w.job_id AND e.sequence > w.after_sequence"
                      + " ORDER BY e.job_id, e.sequence")) {
            s.setArray(1, idArray);
            s.setArray(2, afterArray);
            Map<String, List<JobEvent>> out = new LinkedHashMap<>();
            try (ResultSet r = s.executeQuery()) {
              while (r.next()) {
                out.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(codec.decodeEvent(r.getBytes(2)));
              }
            }
            return out;
          }
        });
  }

  @Override
  public boolean deleteFinished(String id) {
    return db.transaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM jobs WHERE id = ? AND state IN ('SUCCEEDED', 'FAILED', 'CANCELLED')")) {
            s.setString(1, id);
            return s.executeUpdate() == 1;
          }
        });
  }

  @Override
  public void announce(Replica replica, Duration ttl) {
    db.transaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO replicas (id, has_gpu, capacity, running, expires_at)"
                      + " VALUES (?, ?, ?, ?, now() + ? * interval '1 millisecond')"
                      + " ON CONFLICT (id) DO UPDATE SET has_gpu = excluded.has_gpu, capacity = excluded.capacity,"
                      + " running = excluded.running, expires_at = excluded.expires_at")) {
            s.setString(1, replica.id());
            s.setBoolean(2, replica.hasGpu());
            s.setInt(3, replica.capacity());
            s.setInt(4, replica.running());
            s.setLong(5, ttl.toMillis());
            return s.executeUpdate();
          }
        });
  }

  @Override
  public void withdraw(String replicaId) {
    db.transaction(
        c -> {
          try (PreparedStatement s = c.prepareStatement("DELETE FROM replicas WHERE id = ?")) {
            s.setString(1, replicaId);
            return s.executeUpdate();
          }
        });
  }

  @Override
  public boolean anyReplicaWithGpu() {
    return db.transaction(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("SELECT EXISTS (SELECT 1 FROM replicas WHERE has_gpu AND expires_at > now())")) {
            try (ResultSet r = s.executeQuery()) {
              r.next();
              return r.getBoolean(1);
            }
          }
        });
  }
}
