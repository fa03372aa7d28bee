package dev.trainerd.client;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of the SDK: a connection to one trainerd server and its three resource clients.
 *
 * <pre>{@code
 * try (TrainerClient client = TrainerClient.newBuilder("localhost:50051").build()) {
 *   Dataset d = client.datasets().get("datasets/abc");
 * }
 * }</pre>
 *
 * <p>Built from a target, the client owns its channel: plaintext unless TLS is configured,
 * retries of idempotent calls on UNAVAILABLE with exponential backoff (the service config in
 * {@link #serviceConfig()}), and {@link #close()} shuts the channel down. Built from a
 * {@link Channel}, the caller owns the channel and its configuration; {@code close()} leaves it
 * open. Thread-safe: share one client.
 */
public final class TrainerClient implements AutoCloseable {
  /** The default deadline of unary calls unless the builder sets another. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);

  private static final String SERVICE_CONFIG = "service-config.json";

  private final ManagedChannel ownedChannel;
  private final CallSettings settings;
  private final Datasets datasets;
  private final TrainingJobs jobs;
  private final Sweeps sweeps;
  private final Models models;

  private TrainerClient(ManagedChannel ownedChannel, CallSettings settings) {
    this.ownedChannel = ownedChannel;
    this.settings = settings;
    this.datasets = new Datasets(settings);
    this.jobs = new TrainingJobs(settings);
    this.sweeps = new Sweeps(settings);
    this.models = new Models(settings);
  }

  /** A builder for a client that owns a channel to {@code target} (e.g. {@code host:50051}). */
  public static Builder newBuilder(String target) {
    return new Builder(Objects.requireNonNull(target, "target"), null);
  }

  /** A builder for a client on a channel the caller owns (and closes). */
  public static Builder newBuilder(Channel channel) {
    return new Builder(null, Objects.requireNonNull(channel, "channel"));
  }

  /** A plaintext client for {@code target} with the default options. */
  public static TrainerClient forTarget(String target) {
    return newBuilder(target).build();
  }

  /** A client on a channel the caller owns, with the default deadline and no credentials. */
  public static TrainerClient forChannel(Channel channel) {
    return newBuilder(channel).build();
  }

  /**
   * The gRPC service config the SDK applies to channels it creates: retries of idempotent calls
   * (gets, lists, predictions, watches, downloads, cancel) on UNAVAILABLE, up to 5 attempts with
   * backoff from 0.2 s to 5 s. Apply it to your own channel with
   * {@code ManagedChannelBuilder.defaultServiceConfig(TrainerClient.serviceConfig()).enableRetry()}.
   */
  public static Map<String, ?> serviceConfig() {
    try (InputStream in = TrainerClient.class.getResourceAsStream(SERVICE_CONFIG)) {
      if (in == null) {
        throw new IllegalStateException(SERVICE_CONFIG + " is missing from the SDK jar");
      }
      try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        // Gson reads numbers as Double, lists as List and objects as Map: the types gRPC expects.
        return new Gson().fromJson(reader, new TypeToken<Map<String, Object>>() {}.getType());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + SERVICE_CONFIG, e);
    }
  }

  /** Data sets: upload, synthetic creation, get, list, delete. */
  public Datasets datasets() {
    return datasets;
  }

  /** Training jobs: create, get, list, cancel, watch, await. */
  public TrainingJobs jobs() {
    return jobs;
  }

  /** Hyperparameter sweeps: create, get, list, cancel, watch, await. */
  public Sweeps sweeps() {
    return sweeps;
  }

  /** Trained models: get, parameters, predict, batch predict, evaluate, export. */
  public Models models() {
    return models;
  }

  /**
   * Whether the server reports SERVING on the standard health service ({@code grpc.health.v1}).
   *
   * @throws TrainerException when the server cannot be reached
   */
  public boolean isServing() {
    try {
      HealthCheckResponse response =
          settings.unary(HealthGrpc.newBlockingStub(settings.channel())).check(HealthCheckRequest.getDefaultInstance());
      return response.getStatus() == HealthCheckResponse.ServingStatus.SERVING;
    } catch (RuntimeException e) {
      throw TrainerException.from(e);
    }
  }

  /** The channel calls go through. */
  public Channel channel() {
    return settings.channel();
  }

  /**
   * Shuts down the channel if this client created it, waiting up to five seconds for calls in
   * flight; a caller-owned channel is left open.
   */
  @Override
  public void close() {
    if (ownedChannel == null) {
      return;
    }
    ownedChannel.shutdown();
    try {
      if (!ownedChannel.awaitTermination(5, TimeUnit.SECONDS)) {
        ownedChannel.shutdownNow();
      }
    } catch (InterruptedException e) {
      ownedChannel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Options of a {@link TrainerClient}. */
  public static final class Builder {
    private final String target;
    private final Channel channel;
    private Path tlsCaFile;
    private boolean tls;
    private String bearerToken;
    private Duration defaultDeadline = DEFAULT_DEADLINE;
    private boolean retries = true;
    private int maxInboundMessageBytes = 64 << 20;

    private Builder(String target, Channel channel) {
      this.target = target;
      this.channel = channel;
    }

    /** Use TLS, trusting the system's certificate authorities (only for a target). */
    public Builder useTls() {
      this.tls = true;
      return this;
    }

    /** Use TLS, trusting the certificate authorities in this PEM file (only for a target). */
    public Builder tlsCaFile(Path caFile) {
      this.tlsCaFile = Objects.requireNonNull(caFile, "caFile");
      this.tls = true;
      return this;
    }

    /**
     * Send {@code authorization: Bearer <token>} with every call. Over plaintext the token
     * travels unencrypted: use it with TLS.
     */
    public Builder bearerToken(String token) {
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("bearer token must not be blank");
      }
      this.bearerToken = token;
      return this;
    }

    /**
     * The deadline of each unary call, counted from its start; default 60 s. {@code null} means
     * none. Uploads, watches, batch predictions and exports have no default deadline.
     */
    public Builder defaultDeadline(Duration deadline) {
      if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
        throw new IllegalArgumentException("deadline must be positive, was " + deadline);
      }
      this.defaultDeadline = deadline;
      return this;
    }

    /** Turn the shipped retry policy off (only for a target); on by default. */
    public Builder retries(boolean enabled) {
      this.retries = enabled;
      return this;
    }

    /** Largest response message accepted (only for a target); default 64 MiB. */
    public Builder maxInboundMessageBytes(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("max inbound message size must be positive");
      }
      this.maxInboundMessageBytes = bytes;
      return this;
    }

    /**
     * Creates the client.
     *
     * @throws TrainerException if the CA file cannot be read
     */
    public TrainerClient build() {
      CallCredentials credentials = bearerToken == null ? null : new BearerToken(bearerToken);
      if (channel != null) {
        return new TrainerClient(null, new CallSettings(channel, credentials, defaultDeadline));
      }
      ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(target, channelCredentials());
      builder.maxInboundMessageSize(maxInboundMessageBytes);
      if (retries) {
        builder.defaultServiceConfig(serviceConfig()).enableRetry();
      } else {
        builder.disableRetry();
      }
      ManagedChannel owned = builder.build();
      return new TrainerClient(owned, new CallSettings(owned, credentials, defaultDeadline));
    }

    private ChannelCredentials channelCredentials() {
      if (!tls) {
        return InsecureChannelCredentials.create();
      }
      if (tlsCaFile == null) {
        return TlsChannelCredentials.create();
      }
      try {
        return TlsChannelCredentials.newBuilder().trustManager(tlsCaFile.toFile()).build();
      } catch (IOException e) {
        throw new TrainerException(
            io.grpc.Status.Code.INVALID_ARGUMENT,
            "INVALID_TLS_CA",
            "cannot read the CA file " + tlsCaFile + ": " + e.getMessage(),
            java.util.List.of(new FieldViolation("tls_ca_file", e.getMessage() == null ? "unreadable" : e.getMessage())),
            e);
      }
    }
  }
}
