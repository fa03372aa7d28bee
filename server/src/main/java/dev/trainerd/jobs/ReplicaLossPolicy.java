package dev.trainerd.jobs;

/**
 * What a cluster does with a running job when the replica that claimed it stops renewing its
 * lease (the process died, lost the network or the database). A single embedded server that
 * restarts fails its running jobs whatever the policy says: nothing else could run them meanwhile.
 */
public enum ReplicaLossPolicy {
  /** Queue the job again; a replica with free capacity trains it from the start (the default). */
  REQUEUE,
  /** End the job FAILED with reason {@code REPLICA_LOST}. */
  FAIL
}
