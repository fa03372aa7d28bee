package dev.trainerd.api;

import dev.trainerd.ml.tf.TfTrainer;
import dev.trainerd.server.ServerConfig;
import dev.trainerd.server.TrainerdApplication;
import dev.trainerd.v1.CreateSyntheticDatasetRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetServiceGrpc;
import dev.trainerd.v1.LinearSyntheticSpec;
import dev.trainerd.v1.ModelServiceGrpc;
import dev.trainerd.v1.SweepServiceGrpc;
import dev.trainerd.v1.SyntheticSpec;
import dev.trainerd.v1.TrainingServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The whole application on an in-process transport, over a given data directory. */
final class InProcessTrainerd implements AutoCloseable {
  final TrainerdApplication app;
  final ManagedChannel channel;
  final DatasetServiceGrpc.DatasetServiceBlockingStub datasets;
  final DatasetServiceGrpc.DatasetServiceStub datasetsAsync;
  final TrainingServiceGrpc.TrainingServiceBlockingStub training;
  final ModelServiceGrpc.ModelServiceBlockingStub models;
  final SweepServiceGrpc.SweepServiceBlockingStub sweeps;

  InProcessTrainerd(Path dataDir) throws IOException {
    this(dataDir, 1);
  }

  InProcessTrainerd(Path dataDir, int concurrentJobs) throws IOException {
    this(dataDir, concurrentJobs, 64L << 20);
  }

  InProcessTrainerd(Path dataDir, int concurrentJobs, long maxUploadBytes) throws IOException {
    this(dataDir, concurrentJobs, maxUploadBytes, 100, ServerConfig.defaults().maxStoredBytes(), ServerConfig.defaults().maxJobWork());
  }

  InProcessTrainerd(
      Path dataDir, int concurrentJobs, long maxUploadBytes, int maxQueuedJobs, long maxStoredBytes, long maxJobWork)
      throws IOException {
    this(dataDir, concurrentJobs, maxUploadBytes, maxQueuedJobs, maxStoredBytes, maxJobWork, 0);
  }

  InProcessTrainerd(
      Path dataDir, int concurrentJobs, long maxUploadBytes, int maxQueuedJobs, long maxStoredBytes, long maxJobWork,
      long maxJobMemory)
      throws IOException {
    String name = InProcessServerBuilder.generateName();
    ServerConfig defaults = ServerConfig.defaults();
    ServerConfig config =
        new ServerConfig(
                "127.0.0.1", 0, -1, "/metrics", dataDir, concurrentJobs, maxQueuedJobs, maxUploadBytes, 0, 0,
                Duration.ofSeconds(5), maxStoredBytes, maxJobWork, maxJobMemory, defaults.security(), -1);
    app = new TrainerdApplication(config, InProcessServerBuilder.forName(name), new TfTrainer(), Clock.systemUTC());
    app.startServing();
    channel = InProcessChannelBuilder.forName(name).build();
    datasets = DatasetServiceGrpc.newBlockingStub(channel);
    datasetsAsync = DatasetServiceGrpc.newStub(channel);
    training = TrainingServiceGrpc.newBlockingStub(channel);
    models = ModelServiceGrpc.newBlockingStub(channel);
    sweeps = SweepServiceGrpc.newBlockingStub(channel);
  }

  /** The training part of the chapter's synthetic linear data (seed 42), named "linear". */
  Dataset linearData() {
    return datasets
        .createSyntheticDataset(
            CreateSyntheticDatasetRequest.newBuilder()
                .setDisplayName("linear")
                .setSeed(42)
                .setSpec(SyntheticSpec.newBuilder().setLinear(LinearSyntheticSpec.newBuilder()))
                .build())
        .getTrainDataset();
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    app.close();
  }
}
