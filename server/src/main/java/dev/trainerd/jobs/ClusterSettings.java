package dev.trainerd.jobs;

import java.time.Duration;
import java.util.Objects;

/**
 * How one replica takes part in a cluster.
 *
 * @param replicaId this replica's name, unique in the cluster (a pod name does)
 * @param hasGpu whether this replica can train jobs that ask for a GPU
 * @param lease how long a claim on a running job lasts without renewal; the replica renews it
 *     every third of this, and a replica that stops renewing loses its jobs this long after
 * @param pollInterval how often the replica looks for queued jobs and for new events of the jobs
 *     its clients watch (the longest delay a watcher sees beyond the database's)
 */
public record ClusterSettings(String replicaId, boolean hasGpu, Duration lease, Duration pollInterval) {

  /** Default lease: 15 s. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);

  /** Default poll interval: 200 ms. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);

  public ClusterSettings {
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(pollInterval, "pollInterval");
    if (replicaId.isBlank() || replicaId.length() > 200) {
      throw new IllegalArgumentException("replica id must be 1 to 200 characters");
    }
    if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("job lease must be at least 1 s, was " + lease);
    }
    if (pollInterval.compareTo(Duration.ofMillis(10)) < 0 || pollInterval.compareTo(lease) > 0) {
      throw new IllegalArgumentException("poll interval must be between 10 ms and the lease, was " + pollInterval);
    }
  }

  /** How often running jobs' leases are renewed. */
  public Duration heartbeat() {
    return lease.dividedBy(3);
  }
}
