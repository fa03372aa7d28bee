package dev.trainerd.store.cluster;

import dev.trainerd.errors.TrainerdException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The cluster's blobs in an S3-compatible object store (AWS S3, MinIO, s3proxy, ...), through the
 * AWS SDK with the JDK's HTTP client. Keys are {@code <prefix>/<kind>/<name>}. Objects are written
 * whole (a PUT is atomic in S3: readers see the old object, none, or the new one), so a replica
 * dying mid-upload leaves nothing half-written behind a key.
 *
 * <p>Failures of the store become {@link TrainerdException.Unavailable}; a missing object is a
 * {@link NoSuchFileException}.
 */
public final class ObjectStore implements AutoCloseable {
  private final S3Client s3;
  private final String bucket;
  private final String prefix;

  private ObjectStore(S3Client s3, String bucket, String prefix) {
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
  }

  /** Connects and creates the bucket when it does not exist. */
  public static ObjectStore open(ObjectStoreSettings settings) {
    var builder =
        S3Client.builder()
            .httpClient(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofSeconds(60))
                    .build())
            .region(Region.of(settings.region()))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())))
            .serviceConfiguration(
                S3Configuration.builder()
                    .pathStyleAccessEnabled(settings.pathStyle())
                    // s3proxy and older MinIO releases do not answer the SDK's chunked checksums.
                    .checksumValidationEnabled(false)
                    .build());
    settings.endpoint().ifPresent(builder::endpointOverride);
    ObjectStore store = new ObjectStore(builder.build(), settings.bucket(), settings.prefix());
    store.ensureBucket();
    return store;
  }

  private void ensureBucket() {
    try {
      s3.headBucket(b -> b.bucket(bucket));
    } catch (NoSuchBucketException e) {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw unavailable("open bucket " + bucket, e);
      }
      s3.createBucket(b -> b.bucket(bucket));
    } catch (SdkException e) {
      throw unavailable("open bucket " + bucket, e);
    }
  }

  /** Stores a file's bytes under {@code key}. */
  public void put(String key, Path file) {
    try {
      s3.putObject(b -> b.bucket(bucket).key(prefix + key), RequestBody.fromFile(file));
    } catch (SdkException e) {
      throw unavailable("store " + key, e);
    }
  }

  /** Stores bytes under {@code key}. */
  public void put(String key, byte[] bytes) {
    try {
      s3.putObject(b -> b.bucket(bucket).key(prefix + key), RequestBody.fromBytes(bytes));
    } catch (SdkException e) {
      throw unavailable("store " + key, e);
    }
  }

  /** Whether an object is stored under {@code key}. */
  public boolean exists(String key) {
    try {
      s3.headObject(b -> b.bucket(bucket).key(prefix + key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw unavailable("look up " + key, e);
    } catch (SdkException e) {
      throw unavailable("look up " + key, e);
    }
  }

  /** The object's bytes. */
  public byte[] get(String key) throws NoSuchFileException {
    try {
      return s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + key)).asByteArray();
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(key);
    } catch (SdkException e) {
      throw unavailable("read " + key, e);
    }
  }

  /** Copies the object into {@code target} (replaced). */
  public void download(String key, Path target) throws IOException {
    Path partial = target.resolveSibling(target.getFileName() + ".part");
    try {
      Files.deleteIfExists(partial);
      s3.getObject(b -> b.bucket(bucket).key(prefix + key), partial);
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(key);
    } catch (SdkException e) {
      Files.deleteIfExists(partial);
      throw unavailable("read " + key, e);
    }
  }

  /** Removes the object under {@code key}; a missing object is not an error. */
  public void delete(String key) {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(prefix + key));
    } catch (SdkException e) {
      throw unavailable("delete " + key, e);
    }
  }

  private static TrainerdException.Unavailable unavailable(String what, SdkException e) {
    return new TrainerdException.Unavailable(
        "OBJECT_STORE_UNAVAILABLE", "the cluster object store is unavailable (could not " + what + "); retry shortly", e);
  }

  @Override
  public void close() {
    s3.close();
  }
}
