package dev.trainerd.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.trainerd.store.cluster.ObjectStoreSettings;
import dev.trainerd.store.cluster.PostgresSettings;
import dev.trainerd.store.cluster.TestPostgres;
import dev.trainerd.store.cluster.TestS3;
import dev.trainerd.v1.CreateSyntheticDatasetRequest;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetServiceGrpc;
import dev.trainerd.v1.FileChunk;
import dev.trainerd.v1.GetDatasetRequest;
import dev.trainerd.v1.GetModelRequest;
import dev.trainerd.v1.GetTrainingJobRequest;
import dev.trainerd.v1.HiddenLayer;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.LinearSyntheticSpec;
import dev.trainerd.v1.ListModelsRequest;
import dev.trainerd.v1.Mlp;
import dev.trainerd.v1.ModelServiceGrpc;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.SyntheticSpec;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.TrainingServiceGrpc;
import dev.trainerd.v1.UploadDatasetMetadata;
import dev.trainerd.v1.UploadDatasetRequest;
import dev.trainerd.v1.WatchTrainingJobRequest;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three packaged servers as processes on one PostgreSQL and one S3-compatible store (s3proxy):
 * jobs through any replica run exactly once, data and models are shared, watches cross replicas,
 * and a replica killed with SIGKILL loses its jobs to the others as each job's policy says.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static final int REPLICAS = 3;

  private TestPostgres postgres;
  private TestS3 s3;
  private PostgresSettings database;
  private final List<ServerProcess> replicas = new ArrayList<>();
  private final Map<String, ServerProcess> byId = new HashMap<>();
  private Path dir;
  private Dataset uploaded;

  @BeforeAll
  void startCluster() throws Exception {
    dir = Files.createTempDirectory("trainerd-cluster-it-");
    postgres = TestPostgres.obtain();
    s3 = TestS3.start(dir);
    database = postgres.newDatabase();
    ObjectStoreSettings bucket = s3.newBucket();
    Map<String, String> secrets =
        Map.of(
            "TRAINERD_POSTGRES_PASSWORD", postgres.password(),
            "TRAINERD_S3_ACCESS_KEY_ID", s3.accessKey(),
            "TRAINERD_S3_SECRET_ACCESS_KEY", s3.secretKey());
    for (int i = 0; i < REPLICAS; i++) {
      String id = "r" + i;
      ServerProcess replica =
          new ServerProcess(
              dir.resolve(id),
              secrets,
              "--storage", "cluster",
              "--replica-id", id,
              "--postgres-url", database.jdbcUrl(),
              "--postgres-user", database.user(),
              "--postgres-pool-size", "4",
              "--s3-endpoint", s3.endpoint().toString(),
              "--s3-bucket", bucket.bucket(),
              "--job-lease", "PT3S",
              "--max-concurrent-jobs", "2",
              "--intra-op-threads", "1",
              "--inter-op-threads", "1");
      replicas.add(replica);
      byId.put(id, replica);
    }
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (ServerProcess r : replicas) {
      r.close();
    }
    if (s3 != null) {
      s3.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  @Order(1)
  void aDatasetUploadedThroughOneReplicaIsSeenByTheOthers() throws Exception {
    uploaded = upload(replicas.get(1), line());
    for (ServerProcess r : replicas) {
      assertThat(DatasetServiceGrpc.newBlockingStub(r.channel())
              .getDataset(GetDatasetRequest.newBuilder().setName(uploaded.getName()).build()).getName())
          .isEqualTo(uploaded.getName());
    }
  }

  @Test
  @Order(2)
  void thirtyJobsThroughDifferentReplicasEachRunExactlyOnce() throws Exception {
    long start = System.nanoTime();
    List<TrainingJob> created = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      created.add(
          training(replicas.get(i % REPLICAS))
              .createTrainingJob(
                  CreateTrainingJobRequest.newBuilder()
                      .setDisplayName("job " + i)
                      .setSpec(linearJob(uploaded, 3))
                      .build()));
    }
    List<TrainingJob> finished = new ArrayList<>();
    for (int i = 0; i < created.size(); i++) {
      finished.add(awaitEnd(replicas.get((i + 1) % REPLICAS), created.get(i).getName()));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(finished).allSatisfy(j -> assertThat(j.getState()).isEqualTo(TrainingJob.State.SUCCEEDED));

    // Exactly once: each job was claimed once, and its history has one RUNNING change.
    for (TrainingJob job : finished) {
      String id = job.getName().substring("trainingJobs/".length());
      assertThat(attempt(id)).as("attempts of %s", id).isEqualTo(1);
      assertThat(runningChanges(replicas.get(2), job.getName())).as("RUNNING changes of %s", id).isEqualTo(1);
    }
    // The uploaded data set trained on replicas other than the one it was uploaded through.
    Map<String, Integer> perReplica = claimsPerReplica(finished);
    assertThat(perReplica.keySet()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(perReplica.keySet()).anyMatch(r -> !r.equals("r1"));
    // Every model is visible from every replica.
    for (ServerProcess r : replicas) {
      assertThat(ModelServiceGrpc.newBlockingStub(r.channel()).listModels(ListModelsRequest.newBuilder().setPageSize(100).build())
              .getModelsCount())
          .isEqualTo(30);
    }
    System.out.printf(
        "ClusterIT: 30 jobs on %d replicas in %.1f s (%.2f jobs/s); claims per replica %s%n",
        REPLICAS, seconds, 30 / seconds, perReplica);
  }

  @Test
  @Order(3)
  void aWatchOnOneReplicaSeesTheEpochsOfAJobRunningOnAnother() throws Exception {
    Dataset data = synthetic(replicas.get(0), 7);
    TrainingJob job =
        training(replicas.get(0))
            .createTrainingJob(CreateTrainingJobRequest.newBuilder().setSpec(mlpJob(data, 15)).build());
    String owner = awaitOwner(job.getName());
    ServerProcess elsewhere = replicas.stream().filter(r -> r != byId.get(owner)).findFirst().orElseThrow();
    TrainingJob atOpen = training(elsewhere).getTrainingJob(GetTrainingJobRequest.newBuilder().setName(job.getName()).build());

    List<Integer> epochs = new ArrayList<>();
    TrainingJob.State last = TrainingJob.State.STATE_UNSPECIFIED;
    Iterator<TrainingJobEvent> events =
        training(elsewhere).watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(job.getName()).build());
    while (events.hasNext()) {
      TrainingJobEvent e = events.next();
      if (e.hasEpoch()) {
        epochs.add(e.getEpoch().getEpoch());
      } else if (e.hasStateChange()) {
        last = e.getStateChange().getJob().getState();
      }
    }
    assertThat(atOpen.getState()).isIn(TrainingJob.State.RUNNING, TrainingJob.State.QUEUED);
    assertThat(atOpen.getEpochsCompleted()).isLessThan(15);
    assertThat(epochs).containsExactlyElementsOf(range(1, 15));
    assertThat(last).isEqualTo(TrainingJob.State.SUCCEEDED);
  }

  @Test
  @Order(4)
  void aKilledReplicasJobIsRequeuedOrFailedAsItsPolicySays() throws Exception {
    Dataset data = synthetic(replicas.get(2), 11);
    TrainingJob requeue =
        training(replicas.get(2)).createTrainingJob(CreateTrainingJobRequest.newBuilder().setSpec(mlpJob(data, 25)).build());
    TrainingJob fail =
        training(replicas.get(2))
            .createTrainingJob(
                CreateTrainingJobRequest.newBuilder()
                    .setSpec(mlpJob(data, 25).toBuilder().setOnReplicaLoss(TrainingJobSpec.OnReplicaLoss.FAIL))
                    .build());
    String requeueOwner = awaitOwner(requeue.getName());
    String failOwner = awaitOwner(fail.getName());
    awaitEpoch(requeue.getName());
    awaitEpoch(fail.getName());
    List<String> killed = new ArrayList<>(List.of(requeueOwner));
    if (!failOwner.equals(requeueOwner)) {
      killed.add(failOwner);
    }
    for (String id : killed) {
      byId.get(id).kill();
    }
    ServerProcess survivor = replicas.stream().filter(r -> !killed.contains(idOf(r))).findFirst().orElseThrow();

    TrainingJob requeued = awaitEnd(survivor, requeue.getName());
    TrainingJob failed = awaitEnd(survivor, fail.getName());
    assertThat(requeued.getState()).isEqualTo(TrainingJob.State.SUCCEEDED);
    assertThat(requeued.getEpochsCompleted()).isEqualTo(25);
    assertThat(attempt(id(requeue))).isEqualTo(2);
    assertThat(failed.getState()).isEqualTo(TrainingJob.State.FAILED);
    assertThat(failed.getError().getMessage()).contains("replica");
    assertThat(attempt(id(fail))).isEqualTo(1);
    // The requeued job's second attempt ran on a replica that is still alive.
    assertThat(survivor.log() + otherSurvivorLogs(killed)).contains("job " + id(requeue) + " claimed by");

    // Nothing acknowledged is lost: the earlier jobs, their models and the data sets are all there.
    assertThat(ModelServiceGrpc.newBlockingStub(survivor.channel())
            .listModels(ListModelsRequest.newBuilder().setPageSize(100).build()).getModelsCount())
        .isEqualTo(32);
    assertThat(ModelServiceGrpc.newBlockingStub(survivor.channel())
            .getModel(GetModelRequest.newBuilder().setName(requeued.getModel()).build()).getName())
        .isEqualTo(requeued.getModel());
    assertThat(DatasetServiceGrpc.newBlockingStub(survivor.channel())
            .getDataset(GetDatasetRequest.newBuilder().setName(uploaded.getName()).build()).getName())
        .isEqualTo(uploaded.getName());
    try (Connection c = postgres.connect(database.jdbcUrl());
        PreparedStatement s = c.prepareStatement("SELECT count(*) FROM jobs WHERE state = 'SUCCEEDED'");
        ResultSet r = s.executeQuery()) {
      r.next();
      assertThat(r.getInt(1)).isEqualTo(32);
    }
  }

  // ---- helpers ----

  private String otherSurvivorLogs(List<String> killed) {
    StringBuilder all = new StringBuilder();
    for (ServerProcess r : replicas) {
      if (!killed.contains(idOf(r))) {
        all.append(r.log());
      }
    }
    return all.toString();
  }

  private String idOf(ServerProcess replica) {
    return byId.entrySet().stream().filter(e -> e.getValue() == replica).findFirst().orElseThrow().getKey();
  }

  private static String id(TrainingJob job) {
    return job.getName().substring("trainingJobs/".length());
  }

  private static TrainingServiceGrpc.TrainingServiceBlockingStub training(ServerProcess replica) {
    return TrainingServiceGrpc.newBlockingStub(replica.channel()).withDeadlineAfter(120, TimeUnit.SECONDS);
  }

  private static TrainingJob awaitEnd(ServerProcess replica, String name) throws InterruptedException {
    for (int i = 0; i < 1200; i++) {
      TrainingJob job = training(replica).getTrainingJob(GetTrainingJobRequest.newBuilder().setName(name).build());
      if (job.getState() == TrainingJob.State.SUCCEEDED
          || job.getState() == TrainingJob.State.FAILED
          || job.getState() == TrainingJob.State.CANCELLED) {
        return job;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " did not end within 2 minutes");
  }

  /** The replica holding a job's lease, once it runs. */
  private String awaitOwner(String name) throws Exception {
    String id = name.substring("trainingJobs/".length());
    for (int i = 0; i < 600; i++) {
      try (Connection c = postgres.connect(database.jdbcUrl());
          PreparedStatement s = c.prepareStatement("SELECT owner FROM jobs WHERE id = ? AND state = 'RUNNING'")) {
        s.setString(1, id);
        try (ResultSet r = s.executeQuery()) {
          if (r.next()) {
            return r.getString(1);
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " never ran");
  }

  private void awaitEpoch(String name) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      if (training(replicas.get(0)).getTrainingJob(GetTrainingJobRequest.newBuilder().setName(name).build()).getEpochsCompleted() > 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " never finished an epoch");
  }

  private int attempt(String jobId) throws Exception {
    try (Connection c = postgres.connect(database.jdbcUrl());
        PreparedStatement s = c.prepareStatement("SELECT attempt FROM jobs WHERE id = ?")) {
      s.setString(1, jobId);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  private static int runningChanges(ServerProcess replica, String name) {
    int running = 0;
    Iterator<TrainingJobEvent> events =
        training(replica).watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(name).build());
    while (events.hasNext()) {
      TrainingJobEvent e = events.next();
      if (e.hasStateChange() && e.getStateChange().getJob().getState() == TrainingJob.State.RUNNING) {
        running++;
      }
    }
    return running;
  }

  /** Which replica claimed each job, from the replicas' logs. */
  private Map<String, Integer> claimsPerReplica(List<TrainingJob> jobs) {
    Map<String, Integer> out = new HashMap<>();
    for (TrainingJob job : jobs) {
      for (Map.Entry<String, ServerProcess> r : byId.entrySet()) {
        if (r.getValue().log().contains("job " + id(job) + " claimed by " + r.getKey())) {
          out.merge(r.getKey(), 1, Integer::sum);
        }
      }
    }
    return out;
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }

  private static TrainingJobSpec linearJob(Dataset data, int epochs) {
    return TrainingJobSpec.newBuilder()
        .setDataset(data.getName())
        .setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()))
        .setBatchSize(10)
        .setLearningRate(0.01)
        .setEpochs(epochs)
        .build();
  }

  private static TrainingJobSpec mlpJob(Dataset data, int epochs) {
    return TrainingJobSpec.newBuilder()
        .setDataset(data.getName())
        .setModel(ModelSpec.newBuilder().setMlp(Mlp.newBuilder().addHiddenLayers(HiddenLayer.newBuilder().setUnits(64))))
        .setBatchSize(1)
        .setLearningRate(0.001)
        .setEpochs(epochs)
        .build();
  }

  /** y = 2x + 1 over 50 rows. */
  private static String line() {
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int i = 0; i < 50; i++) {
      double x = i / 10.0;
      csv.append(x).append(',').append(2 * x + 1).append('\n');
    }
    return csv.toString();
  }

  private static Dataset upload(ServerProcess replica, String csv) throws Exception {
    CompletableFuture<Dataset> done = new CompletableFuture<>();
    StreamObserver<UploadDatasetRequest> upload =
        DatasetServiceGrpc.newStub(replica.channel())
            .uploadDataset(
                new StreamObserver<>() {
                  @Override
                  public void onNext(Dataset value) {
                    done.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    upload.onNext(
        UploadDatasetRequest.newBuilder()
            .setMetadata(UploadDatasetMetadata.newBuilder().setDisplayName("line").setLabelColumn("y"))
            .build());
    upload.onNext(
        UploadDatasetRequest.newBuilder()
            .setChunk(FileChunk.newBuilder().setFileName("line.csv").setData(ByteString.copyFromUtf8(csv)))
            .build());
    upload.onCompleted();
    return done.get(60, TimeUnit.SECONDS);
  }

  private static Dataset synthetic(ServerProcess replica, long seed) {
    return DatasetServiceGrpc.newBlockingStub(replica.channel())
        .createSyntheticDataset(
            CreateSyntheticDatasetRequest.newBuilder()
                .setSeed(seed)
                .setSpec(SyntheticSpec.newBuilder().setLinear(LinearSyntheticSpec.getDefaultInstance()))
                .build())
        .getTrainDataset();
  }
}
