/**
 * Cluster-mode persistence: PostgreSQL ({@link dev.trainerd.store.cluster.Database}, a HikariCP
 * pool with the schema migrated by Flyway) for data-set records, jobs, job histories, model
 * records and the replicas' announcements, and an S3-compatible object store ({@link
 * dev.trainerd.store.cluster.ObjectStore}, AWS SDK v2) for data-set files and models. The classes
 * implement the same interfaces as the embedded store, so nothing above this package knows which
 * mode runs.
 */
package dev.trainerd.store.cluster;
