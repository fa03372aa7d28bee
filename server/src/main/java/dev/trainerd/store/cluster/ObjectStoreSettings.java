package dev.trainerd.store.cluster;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the cluster's S3-compatible object store is.
 *
 * @param endpoint the service's URL; empty for the SDK's own endpoint resolution (AWS S3)
 * @param region the signing region
 * @param bucket the bucket for every blob; created at start-up when missing
 * @param prefix prepended to every key (may be empty), so one bucket can hold several clusters
 * @param accessKeyId the access key (from an environment variable or a file, never a flag)
 * @param secretAccessKey the secret key (from an environment variable or a file, never a flag)
 * @param pathStyle address buckets in the path ({@code host/bucket/key}), as MinIO and s3proxy
 *     want, instead of the host name
 */
public record ObjectStoreSettings(
    Optional<URI> endpoint,
    String region,
    String bucket,
    String prefix,
    String accessKeyId,
    String secretAccessKey,
    boolean pathStyle) {
  public ObjectStoreSettings {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      throw new IllegalArgumentException("'" + bucket + "' is not an S3 bucket name (3-63 of a-z 0-9 . -)");
    }
    if (!prefix.isEmpty() && !prefix.matches("[A-Za-z0-9._/-]{1,200}")) {
      throw new IllegalArgumentException("object key prefix must be 1-200 of A-Z a-z 0-9 . _ / -, was " + prefix);
    }
  }

  /** Never prints the keys. */
  @Override
  public String toString() {
    return "ObjectStoreSettings[" + endpoint.map(URI::toString).orElse("(default endpoint)") + ", bucket " + bucket
        + (prefix.isEmpty() ? "" : ", prefix " + prefix) + (pathStyle ? ", path style" : "") + "]";
  }
}
