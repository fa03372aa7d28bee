package dev.trainerd.bench;

import dev.trainerd.v1.CancelTrainingJobRequest;
import dev.trainerd.v1.CreateSyntheticDatasetRequest;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetServiceGrpc;
import dev.trainerd.v1.GetDatasetRequest;
import dev.trainerd.v1.GetTrainingJobRequest;
import dev.trainerd.v1.HiddenLayer;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.LinearSyntheticSpec;
import dev.trainerd.v1.ListDatasetsRequest;
import dev.trainerd.v1.ListTrainingJobsRequest;
import dev.trainerd.v1.Mlp;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.SyntheticSpec;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.TrainingServiceGrpc;
import dev.trainerd.v1.WatchTrainingJobRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load benchmark: N concurrent clients issue Get, List and Watch calls for a fixed time while
 * jobs train on the same server, then one JSON object reports counts, errors and latency
 * percentiles (a Watch is timed until its whole history has arrived).
 *
 * <p>Usage: start a server, then {@code java -cp 'server/target/trainerd-server.jar:server/target/lib/*'
 * dev.trainerd.bench.LoadBench --target 127.0.0.1:50051 [--clients 64] [--seconds 60]
 * [--training-jobs 2] [--rate 10] [--warmup 10]}: each client sends {@code rate} requests per
 * second; the first {@code warmup} seconds are run but not recorded. Errors are counted throughout. The bench creates its own small data set and jobs and cancels the jobs at
 * the end.
 */
public final class LoadBench {
  private LoadBench() {}

  public static void main(String[] args) throws Exception {
    String target = "127.0.0.1:50051";
    int clients = 64;
    int seconds = 60;
    int trainingJobs = 2;
    double rate = 10;
    int warmup = 10;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--target" -> target = args[++i];
        case "--clients" -> clients = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--training-jobs" -> trainingJobs = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Double.parseDouble(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    try {
      System.out.println(run(channel, clients, seconds, trainingJobs, rate, warmup));
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * @param rate requests per second per client; each client keeps a fixed schedule (a late
   *     request does not shift the next one), so latency includes queueing at the server
   */
  static String run(ManagedChannel channel, int clients, int seconds, int trainingJobs, double rate, int warmup)
      throws Exception {
    DatasetServiceGrpc.DatasetServiceBlockingStub datasets = DatasetServiceGrpc.newBlockingStub(channel);
    TrainingServiceGrpc.TrainingServiceBlockingStub training = TrainingServiceGrpc.newBlockingStub(channel);
    Dataset data =
        datasets
            .createSyntheticDataset(
                CreateSyntheticDatasetRequest.newBuilder()
                    .setDisplayName("load bench")
                    .setSeed(7)
                    .setSpec(SyntheticSpec.newBuilder().setLinear(LinearSyntheticSpec.newBuilder().setExampleCount(10_000)))
                    .build())
            .getTrainDataset();
    // A finished job whose history the watchers replay.
    TrainingJob finished =
        training.createTrainingJob(
            CreateTrainingJobRequest.newBuilder()
                .setSpec(TrainingJobSpec.newBuilder().setDataset(data.getName())
                    .setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance())).setEpochs(20))
                .build());
    training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(finished.getName()).build()).forEachRemaining(e -> {});
    List<TrainingJob> busy = new ArrayList<>();
    for (int j = 0; j < trainingJobs; j++) {
      busy.add(
          training.createTrainingJob(
              CreateTrainingJobRequest.newBuilder()
                  .setSpec(TrainingJobSpec.newBuilder().setDataset(data.getName())
                      .setModel(ModelSpec.newBuilder().setMlp(Mlp.newBuilder().addHiddenLayers(HiddenLayer.newBuilder().setUnits(256))))
                      .setBatchSize(32).setLearningRate(0.001).setEpochs(100_000).setSeed(j))
                  .build()));
    }

    // The first seconds warm the JIT and connection pools on both sides; they are run but not
    // recorded.
    long recordFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
    long end = recordFrom + TimeUnit.SECONDS.toNanos(seconds);
    Map<String, long[][]> perMethod = new ConcurrentHashMap<>();
    AtomicLong errors = new AtomicLong();
    Map<String, Long> errorCodes = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(clients);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread t =
          new Thread(
              () -> {
                SplittableRandom random = new SplittableRandom(client);
                Map<String, LongList> mine = new TreeMap<>();
                long interval = (long) (1e9 / rate);
                long next = System.nanoTime() + random.nextLong(interval);
                try {
                  while (System.nanoTime() < end) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                      try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                      }
                    }
                    next += interval;
                    int pick = random.nextInt(5);
                    String method = switch (pick) {
                      case 0 -> "GetTrainingJob";
                      case 1 -> "ListTrainingJobs";
                      case 2 -> "GetDataset";
                      case 3 -> "ListDatasets";
                      default -> "WatchTrainingJob";
                    };
                    long start = Math.max(System.nanoTime(), next - interval);
                    try {
                      switch (pick) {
                        case 0 -> training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(busy.isEmpty() ? finished.getName() : busy.get(random.nextInt(busy.size())).getName()).build());
                        case 1 -> training.listTrainingJobs(ListTrainingJobsRequest.newBuilder().setPageSize(10).build());
                        case 2 -> datasets.getDataset(GetDatasetRequest.newBuilder().setName(data.getName()).build());
                        case 3 -> datasets.listDatasets(ListDatasetsRequest.getDefaultInstance());
                        default -> training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(finished.getName()).build())
                            .forEachRemaining(e -> {});
                      }
                      if (start >= recordFrom) {
                        mine.computeIfAbsent(method, k -> new LongList()).add(System.nanoTime() - start);
                      }
                    } catch (StatusRuntimeException e) {
                      errors.incrementAndGet();
                      errorCodes.merge(e.getStatus().getCode().name(), 1L, Long::sum);
                    }
                  }
                } finally {
                  mine.forEach((k, v) -> perMethod.computeIfAbsent(k + "#" + client, x -> new long[][] {v.toArray()}));
                  done.countDown();
                }
              },
              "load-client-" + c);
      threads.add(t);
      t.start();
    }
    done.await();
    for (TrainingJob job : busy) {
      training.cancelTrainingJob(CancelTrainingJobRequest.newBuilder().setName(job.getName()).build());
    }
    int epochsDuring = 0;
    for (TrainingJob job : busy) {
      epochsDuring += training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(job.getName()).build()).getEpochsCompleted();
    }

    Map<String, List<long[]>> byMethod = new TreeMap<>();
    perMethod.forEach((k, v) -> byMethod.computeIfAbsent(k.substring(0, k.indexOf('#')), x -> new ArrayList<>()).add(v[0]));
    List<long[]> all = new ArrayList<>();
    StringBuilder methods = new StringBuilder();
    for (Map.Entry<String, List<long[]>> e : byMethod.entrySet()) {
      long[] merged = merge(e.getValue());
      all.add(merged);
      if (methods.length() > 0) {
        methods.append(',');
      }
      methods.append(String.format(Locale.ROOT, "\"%s\":%s", e.getKey(), summary(merged, seconds)));
    }
    long[] total = merge(all);
    return String.format(
        Locale.ROOT,
        "{\"clients\":%d,\"rate_per_client\":%.1f,\"warmup_seconds\":%d,\"seconds\":%d,\"training_jobs\":%d,\"epochs_trained_during_load\":%d,\"errors\":%d,\"error_codes\":%s,\"all\":%s,\"by_method\":{%s}}",
        clients, rate, warmup, seconds, trainingJobs, epochsDuring, errors.get(), toJson(errorCodes), summary(total, seconds), methods);
  }

  private static String toJson(Map<String, Long> codes) {
    StringBuilder out = new StringBuilder("{");
    codes.forEach((k, v) -> out.append(out.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
    return out.append('}').toString();
  }

  private static String summary(long[] nanos, int seconds) {
    Arrays.sort(nanos);
    return String.format(
        Locale.ROOT,
        "{\"requests\":%d,\"per_second\":%.1f,\"p50_ms\":%.2f,\"p90_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}",
        nanos.length, nanos.length / (double) seconds, pct(nanos, 0.50), pct(nanos, 0.90), pct(nanos, 0.99),
        nanos.length == 0 ? 0 : nanos[nanos.length - 1] / 1e6);
  }

  private static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  private static long[] merge(List<long[]> parts) {
    int n = 0;
    for (long[] p : parts) {
      n += p.length;
    }
    long[] out = new long[n];
    int at = 0;
    for (long[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** A growable array of longs without boxing. */
  private static final class LongList {
    private long[] values = new long[1024];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
