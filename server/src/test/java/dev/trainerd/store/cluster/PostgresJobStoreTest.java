package dev.trainerd.store.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.api.ProtoCodecs;
import dev.trainerd.api.ResourceMapper;
import dev.trainerd.api.SpecMapper;
import dev.trainerd.jobs.JobEvent;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.jobs.JobState;
import dev.trainerd.jobs.ReplicaLossPolicy;
import dev.trainerd.jobs.SharedJobStore;
import dev.trainerd.jobs.SharedJobStore.Claim;
import dev.trainerd.jobs.SharedJobStore.Guard;
import dev.trainerd.jobs.SharedJobStore.Lease;
import dev.trainerd.jobs.SharedJobStore.Result;
import dev.trainerd.jobs.SplitSpec;
import dev.trainerd.jobs.TrainingJobRecord;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.EpochMetrics;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.TrainingSpec;
import dev.trainerd.store.Ids;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The claim, lease and fencing rules of the shared job store, against a real PostgreSQL. */
class PostgresJobStoreTest {
  private static final Duration LONG_LEASE = Duration.ofMinutes(5);

  private static TestPostgres postgres;
  private PostgresSettings settings;
  private Database db;
  private PostgresJobStore store;
  private final Ids ids = new Ids();

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = TestPostgres.obtain();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void openStore() throws Exception {
    settings = postgres.newDatabase();
    db = Database.open(settings);
    store = new PostgresJobStore(db, ProtoCodecs.jobs(new ResourceMapper(new SpecMapper())));
  }

  @AfterEach
  void closeStore() {
    db.close();
  }

  @Test
  void aJobReadsBackAsStoredWithItsFirstEvent() {
    TrainingJobRecord job = queued(Device.AUTO, "");
    store.insert(job, first(job));
    assertThat(store.find(job.id())).contains(job);
    assertThat(store.events(job.id(), 0)).singleElement().isEqualTo(first(job));
    assertThat(store.count(JobState.QUEUED)).isEqualTo(1);
    assertThat(store.isDatasetInUse(job.spec().datasetId())).isTrue();
    assertThat(store.isDatasetInUse("other")).isFalse();
  }

  @Test
  void aRepeatedRequestIdReturnsTheFirstJob() {
    TrainingJobRecord first = queued(Device.AUTO, "req-1");
    TrainingJobRecord second = queued(Device.AUTO, "req-1");
    assertThat(store.insert(first, first(first))).isEqualTo(first);
    assertThat(store.insert(second, first(second))).isEqualTo(first);
    assertThat(store.list(Set.of())).containsExactly(first);
  }

  @Test
  void claimsTakeTheOldestQueuedJobAndNumberTheAttempt() {
    TrainingJobRecord older = insert(queued(Device.AUTO, "", Instant.parse("2025-01-01T00:00:00Z")));
    insert(queued(Device.AUTO, "", Instant.parse("2025-01-02T00:00:00Z")));
    Claim claim = store.claim("a", false, LONG_LEASE, this::toRunning).orElseThrow();
    assertThat(claim.job().id()).isEqualTo(older.id());
    assertThat(claim.lease()).isEqualTo(new Lease("a", 1));
    assertThat(store.find(older.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(store.events(older.id(), 0)).hasSize(2);
  }

  @Test
  void concurrentClaimersNeverGetTheSameJob() throws Exception {
    int jobs = 40;
    for (int i = 0; i < jobs; i++) {
      insert(queued(Device.AUTO, ""));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<String>>> claimers = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      String owner = "replica-" + r;
      claimers.add(
          pool.submit(
              () -> {
                start.await();
                List<String> mine = new ArrayList<>();
                Optional<Claim> c;
                while ((c = store.claim(owner, false, LONG_LEASE, this::toRunning)).isPresent()) {
                  mine.add(c.get().job().id());
                }
                return mine;
              }));
    }
    start.countDown();
    List<String> all = new ArrayList<>();
    for (Future<List<String>> f : claimers) {
      all.addAll(f.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertThat(all).hasSize(jobs).doesNotHaveDuplicates();
    assertThat(store.count(JobState.RUNNING)).isEqualTo(jobs);
  }

  @Test
  void onlyAReplicaWithAGpuClaimsAGpuJob() {
    TrainingJobRecord gpu = insert(queued(Device.GPU, ""));
    assertThat(store.claim("cpu-only", false, LONG_LEASE, this::toRunning)).isEmpty();
    assertThat(store.claim("gpu", true, LONG_LEASE, this::toRunning).orElseThrow().job().id()).isEqualTo(gpu.id());
  }

  @Test
  void aRenewedLeaseReportsTheStateAndCancellationReachesTheHolder() {
    insert(queued(Device.AUTO, ""));
    Claim claim = store.claim("a", false, LONG_LEASE, this::toRunning).orElseThrow();
    assertThat(store.renew(claim.job().id(), claim.lease(), LONG_LEASE)).contains(JobState.RUNNING);
    store.update(
        claim.job().id(), new Guard.InState(Set.of(JobState.RUNNING)), (current, seq) -> change(current, JobState.CANCELLING, seq));
    assertThat(store.renew(claim.job().id(), claim.lease(), LONG_LEASE)).contains(JobState.CANCELLING);
    assertThat(store.renew(claim.job().id(), new Lease("b", 1), LONG_LEASE)).isEmpty();
  }

  @Test
  void anExpiredLeaseIsReapedOnceAndTheOldHolderIsFencedOut() throws Exception {
    TrainingJobRecord job = insert(queued(Device.AUTO, ""));
    Claim first = store.claim("zombie", false, Duration.ofMillis(1), this::toRunning).orElseThrow();
    Thread.sleep(20);
    assertThat(store.expired(10)).containsExactly(new SharedJobStore.Expired(job.id(), 1));

    // Two reapers race; the row lock lets one of them re-queue the job.
    int requeued = 0;
    for (int i = 0; i < 2; i++) {
      if (store.update(job.id(), new Guard.LeaseExpired(1), (current, seq) -> change(current, JobState.QUEUED, seq)).isPresent()) {
        requeued++;
      }
    }
    assertThat(requeued).isEqualTo(1);
    assertThat(store.expired(10)).isEmpty();

    Claim second = store.claim("healthy", false, LONG_LEASE, this::toRunning).orElseThrow();
    assertThat(second.lease()).isEqualTo(new Lease("healthy", 2));

    // The zombie's late writes change nothing: its lease (attempt 1) is gone.
    assertThat(store.renew(job.id(), first.lease(), LONG_LEASE)).isEmpty();
    assertThat(store.update(job.id(), new Guard.Held(first.lease()), (current, seq) -> epoch(current, seq))).isEmpty();
    assertThat(store.update(job.id(), new Guard.Held(first.lease()), (current, seq) -> change(current, JobState.SUCCEEDED, seq))).isEmpty();
    // The holder's writes land.
    assertThat(store.update(job.id(), new Guard.Held(second.lease()), (current, seq) -> epoch(current, seq))).isPresent();
    assertThat(store.find(job.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(attempts(job.id())).containsExactly(0, 1, 1, 2, 2);
  }

  @Test
  void aLiveLeaseIsNotExpired() {
    insert(queued(Device.AUTO, ""));
    Claim claim = store.claim("a", false, LONG_LEASE, this::toRunning).orElseThrow();
    assertThat(store.expired(10)).isEmpty();
    assertThat(store.update(claim.job().id(), new Guard.LeaseExpired(1), (current, seq) -> change(current, JobState.QUEUED, seq))).isEmpty();
  }

  @Test
  void watchersGetEveryJobsNewEventsInOneQuery() {
    TrainingJobRecord a = insert(queued(Device.AUTO, ""));
    TrainingJobRecord b = insert(queued(Device.AUTO, ""));
    store.update(a.id(), new Guard.InState(Set.of(JobState.QUEUED)), (current, seq) -> change(current, JobState.CANCELLED, seq));
    Map<String, List<JobEvent>> fresh = store.events(Map.of(a.id(), 1L, b.id(), 1L));
    assertThat(fresh).containsOnlyKeys(a.id());
    assertThat(fresh.get(a.id())).singleElement().satisfies(e -> assertThat(e.isTerminal()).isTrue());
  }

  @Test
  void onlyFinishedJobsAreDeleted() {
    TrainingJobRecord a = insert(queued(Device.AUTO, ""));
    assertThat(store.deleteFinished(a.id())).isFalse();
    store.update(a.id(), new Guard.InState(Set.of(JobState.QUEUED)), (current, seq) -> change(current, JobState.CANCELLED, seq));
    assertThat(store.deleteFinished(a.id())).isTrue();
    assertThat(store.find(a.id())).isEmpty();
    assertThat(store.events(a.id(), 0)).isEmpty();
  }

  @Test
  void replicasAnnounceWhetherTheyHaveAGpu() {
    assertThat(store.anyReplicaWithGpu()).isFalse();
    store.announce(new SharedJobStore.Replica("cpu", false, 2, 0), LONG_LEASE);
    assertThat(store.anyReplicaWithGpu()).isFalse();
    store.announce(new SharedJobStore.Replica("gpu", true, 2, 0), LONG_LEASE);
    assertThat(store.anyReplicaWithGpu()).isTrue();
    store.withdraw("gpu");
    assertThat(store.anyReplicaWithGpu()).isFalse();
  }

  private List<Integer> attempts(String jobId) throws Exception {
    try (Connection c = postgres.connect(settings.jdbcUrl());
        PreparedStatement s = c.prepareStatement("SELECT attempt FROM job_events WHERE job_id = ? ORDER BY sequence")) {
      s.setString(1, jobId);
      List<Integer> out = new ArrayList<>();
      try (var r = s.executeQuery()) {
        while (r.next()) {
          out.add(r.getInt(1));
        }
      }
      return out;
    }
  }

  private TrainingJobRecord insert(TrainingJobRecord job) {
    return store.insert(job, first(job));
  }

  private Result toRunning(TrainingJobRecord current, long seq) {
    return change(current, JobState.RUNNING, seq);
  }

  private static Result change(TrainingJobRecord j, JobState state, long seq) {
    TrainingJobRecord next =
        new TrainingJobRecord(
            j.id(), j.displayName(), j.spec(), state, j.createTime(), j.startTime(), j.endTime(), j.epochsCompleted(),
            j.latestEpoch(), j.crossValidation(), j.modelId(), j.failure(), j.requestId());
    return new Result(next, List.of(new JobEvent.StateChanged(seq, Instant.now(), next)));
  }

  private static Result epoch(TrainingJobRecord j, long seq) {
    EpochMetrics m =
        new EpochMetrics(
            j.epochsCompleted() + 1, java.util.OptionalInt.empty(), 1.0, Double.NaN, Double.NaN, Double.NaN,
            Optional.empty(), 0, 0.1, 10);
    return new Result(j, List.of(new JobEvent.EpochFinished(seq, Instant.now(), m)));
  }

  private static JobEvent first(TrainingJobRecord job) {
    return new JobEvent.StateChanged(1, job.createTime(), job);
  }

  private TrainingJobRecord queued(Device device, String requestId) {
    return queued(device, requestId, Instant.now());
  }

  private TrainingJobRecord queued(Device device, String requestId, Instant created) {
    JobSpec spec =
        new JobSpec(
            "a".repeat(dev.trainerd.store.DatasetIds.LENGTH),
            new SplitSpec.None(),
            TrainingSpec.builder().model(new ModelSpec.LinearRegression()).loss(new dev.trainerd.ml.Loss.Squared()).device(device).build(),
            Optional.empty(),
            Optional.empty(),
            ReplicaLossPolicy.REQUEUE);
    return TrainingJobRecord.queued(ids.next(), "job", spec, created.truncatedTo(java.time.temporal.ChronoUnit.MICROS), requestId);
  }
}
