package dev.trainerd.store.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * An S3-compatible server for the cluster tests: s3proxy (from the jar Maven copies into {@code
 * target/s3proxy}) run as its own process with a filesystem blob store, on a free port. Each
 * {@link #newBucket} names a fresh bucket, which the object store creates on first use.
 */
public final class TestS3 implements AutoCloseable {
  private static final String ACCESS_KEY = "trainerd-test";
  private static final String SECRET_KEY = "trainerd-test-secret";

  private final Process process;
  private final int port;
  private final Path log;

  private TestS3(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts s3proxy with its blobs under {@code dir} and waits until it accepts connections. */
  public static TestS3 start(Path dir) throws IOException, InterruptedException {
    String jar = System.getProperty("trainerd.s3proxy.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException("trainerd.s3proxy.jar is not set or missing; run through Maven (it copies s3proxy)");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path blobs = Files.createDirectories(dir.resolve("s3-blobs"));
    Path properties = dir.resolve("s3proxy.properties");
    Files.writeString(
        properties,
        String.join(
            "\n",
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + ACCESS_KEY,
            "s3proxy.credential=" + SECRET_KEY,
            "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + blobs,
            ""),
        StandardCharsets.UTF_8);
    Path log = dir.resolve("s3proxy.log");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar, "--properties", properties.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    TestS3 s3 = new TestS3(process, port, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("s3proxy exited:\n" + Files.readString(log));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return s3;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    s3.close();
    throw new IllegalStateException("s3proxy did not start within 90 s:\n" + Files.readString(log));
  }

  /** The endpoint URL. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public String accessKey() {
    return ACCESS_KEY;
  }

  public String secretKey() {
    return SECRET_KEY;
  }

  /** Settings for a bucket no one used yet. */
  public ObjectStoreSettings newBucket() {
    String bucket = "t-" + UUID.randomUUID().toString().substring(0, 13);
    return new ObjectStoreSettings(Optional.of(endpoint()), "us-east-1", bucket, "", ACCESS_KEY, SECRET_KEY, true);
  }

  /** What s3proxy printed. */
  public String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
