package dev.trainerd.ml.tf;

import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.CrossValidationResult;
import dev.trainerd.ml.EpochAugmentation;
import dev.trainerd.ml.EpochMetrics;
import dev.trainerd.ml.EvaluationMetrics;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Folds;
import dev.trainerd.ml.JobShape;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.Optimizer;
import dev.trainerd.ml.Parameter;
import dev.trainerd.ml.Predictor;
import dev.trainerd.ml.Splits;
import dev.trainerd.ml.Trainer;
import dev.trainerd.ml.Threads;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.TrainedModel;
import dev.trainerd.ml.TrainingCancelledException;
import dev.trainerd.ml.TrainingListener;
import dev.trainerd.ml.TrainingSpec;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * The TensorFlow Java implementation of {@link Trainer}: graph mode, one graph and session per
 * job, data resident in TensorFlow memory, shuffled index batches gathered in the graph, and
 * {@code stepsPerRun} minibatch steps unrolled into each {@code session.run}.
 */
public final class TfTrainer implements Trainer {

  /**
   * JavaCPP's system property capping the process's resident memory (see {@link
   * #skipResidentMemoryChecks}).
   */
  static final String JAVACPP_MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";

  static {
    skipResidentMemoryChecks();
  }

  /**
   * Turns off JavaCPP's resident-memory check unless the process set the property itself: by
   * default JavaCPP, TensorFlow Java's native binding, reads the process's resident size from
   * {@code /proc} under one global lock before each native object it tracks, to refuse any past
   * four times the heap; every session run creates several. On the house-price job that was
   * about a tenth of its CPU time (BENCHMARKS.md). Memory is bounded by admission control and the
   * container instead. Takes effect only before JavaCPP's first use in the process, which is why
   * it runs when this class loads.
   */
  static void skipResidentMemoryChecks() {
    if (System.getProperty(JAVACPP_MAX_PHYSICAL_BYTES) == null) {
      System.setProperty(JAVACPP_MAX_PHYSICAL_BYTES, "0");
    }
  }

  /** Steps per run used by {@link #TfTrainer()}: measured best on Fashion-MNIST (see the bench). */
  public static final int DEFAULT_STEPS_PER_RUN = 8;

  /**
   * Parallel branches per step used by {@link #TfTrainer()}: column blocks of a wide layer's
   * product, or row groups of a narrow model's batch (see the bench).
   */
  public static final int DEFAULT_PRODUCT_SPLITS = 2;

  private final int stepsPerRun;
  private final int productSplits;
  private final Threads processThreads;

  /** A trainer with {@link #DEFAULT_STEPS_PER_RUN} and {@link #DEFAULT_PRODUCT_SPLITS}. */
  public TfTrainer() {
    this(DEFAULT_STEPS_PER_RUN, DEFAULT_PRODUCT_SPLITS);
  }

  /** A trainer with {@code stepsPerRun} and {@link #DEFAULT_PRODUCT_SPLITS}. */
  public TfTrainer(int stepsPerRun) {
    this(stepsPerRun, DEFAULT_PRODUCT_SPLITS);
  }

  /**
   * @param stepsPerRun full-size minibatch steps chained in one session run (1 = one run per
   *     step); the metrics are identical for every value, only speed differs
   * @param productSplits column groups each wide layer's matrix product is split into, or row
   *     groups each step of a narrow model is split into, so both cores work on it (1 = no
   *     split); the same products, so the same results up to float rounding of the kernels
   */
  public TfTrainer(int stepsPerRun, int productSplits) {
    this(stepsPerRun, productSplits, Threads.defaults());
  }

  /**
   * A trainer with the defaults, in a process whose TensorFlow sessions use {@code
   * processThreads} unless a job asks otherwise: the first session TensorFlow opens (the device
   * probe, when it comes first) sizes the process-wide intra-op pool with them.
   */
  public TfTrainer(Threads processThreads) {
    this(DEFAULT_STEPS_PER_RUN, DEFAULT_PRODUCT_SPLITS, processThreads);
  }

  private TfTrainer(int stepsPerRun, int productSplits, Threads processThreads) {
    if (stepsPerRun < 1) {
      throw new IllegalArgumentException("stepsPerRun must be >= 1, was " + stepsPerRun);
    }
    if (productSplits < 1) {
      throw new IllegalArgumentException("productSplits must be >= 1, was " + productSplits);
    }
    this.stepsPerRun = stepsPerRun;
    this.productSplits = productSplits;
    this.processThreads = processThreads;
  }

  @Override
  public TrainedModel train(
      TrainingSpec spec,
      Examples train,
      Optional<EpochAugmentation> augmentation,
      Optional<Examples> evaluation,
      TrainingListener listener,
      CancellationSignal cancel) {
    check(spec, train, evaluation);
    augmentation.ifPresent(a -> requireSameShape(a, train));
    int[][] rows = {Splits.identity(train.count())};
    int[][] evaluationRows =
        evaluation.map(e -> new int[][] {Splits.identity(e.count())}).orElse(null);
    return trainReplicas(
            spec, train, augmentation.orElse(null), evaluation.orElse(null), rows, evaluationRows, false, listener,
            cancel)
        .get(0);
  }

  /** A mismatch is a caller's bug (the augmentation must describe the training rows), not bad input. */
  private static void requireSameShape(EpochAugmentation augmentation, Examples train) {
    if (augmentation.count() != train.count() || augmentation.featureCount() != train.featureCount()) {
      throw new IllegalArgumentException(
          "augmentation is " + augmentation.count() + " x " + augmentation.featureCount() + " but the training examples are "
              + train.count() + " x " + train.featureCount());
    }
  }

  private static void check(TrainingSpec spec, Examples train, Optional<Examples> evaluation) {
    List<FieldViolation> violations = new ArrayList<>(spec.validate());
    violations.addAll(spec.validateFor(train.featureCount(), train.labels()));
    if (train.count() == 0) {
      violations.add(new FieldViolation("dataset", "has no examples"));
    }
    evaluation.ifPresent(
        e -> {
          if (e.featureCount() != train.featureCount()) {
            violations.add(
                new FieldViolation(
                    "evaluation_dataset",
                    "has " + e.featureCount() + " features, the training set " + train.featureCount()));
          } else if (e.labels().getClass() != train.labels().getClass()) {
            violations.add(new FieldViolation("evaluation_dataset", "has another kind of labels than the training set"));
          } else if (e.count() == 0) {
            violations.add(new FieldViolation("evaluation_dataset", "has no examples"));
          } else if (e.labels() instanceof Examples.Labels.Classes ec
              && train.labels() instanceof Examples.Labels.Classes tc
              && ec.classCount() > tc.classCount()) {
            violations.add(
                new FieldViolation(
                    "evaluation_dataset",
                    "has " + ec.classCount() + " classes, the training set only " + tc.classCount()));
          }
        });
    if (!violations.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(violations);
    }
  }

  /**
   * Trains one model per entry of {@code trainRows} side by side in one graph (see {@link
   * TrainingGraph}), each on its rows of {@code data}, shuffled every epoch with the spec's seed
   * exactly as a lone model would be.
   *
   * @param augmentation per-epoch features for every row of {@code data}, or null: each epoch's
   *     draw (prepared in the background while the previous epoch trained) replaces what the
   *     steps gather in one assignment, and the epoch's time includes any wait for it; metrics
   *     read the deterministic {@code data}
   * @param evaluation a separate evaluation set (one replica only), or null
   * @param validationRows per replica, the rows measured after every epoch: of {@code evaluation}
   *     when given, else of {@code data}; null for none
   * @param folds whether the replicas are cross-validation folds (their metrics carry the fold)
   */
  private List<TrainedModel> trainReplicas(
      TrainingSpec spec,
      Examples data,
      EpochAugmentation augmentation,
      Examples evaluation,
      int[][] trainRows,
      int[][] validationRows,
      boolean folds,
      TrainingListener listener,
      CancellationSignal cancel) {
    int replicas = trainRows.length;
    int n = trainRows[0].length;
    // The session gets the device the model trains on; the models keep the spec as asked.
    Device device = resolveDevice(spec, data);
    TrainingSpec placed = device == spec.device() ? spec : spec.toBuilder().device(device).build();
    try (EpochFeatures fresh = augmentation == null ? null : new EpochFeatures(augmentation, spec.seed());
        TrainingGraph g =
            new TrainingGraph(placed, data, evaluation, trainRows, fresh != null, stepsPerRun, productSplits)) {
      if (fresh != null) {
        g.replaceTrainingFeatures(fresh.drawNow(1));
      }
      int[] order = Splits.identity(n);
      int[][] epochRows = new int[replicas][n];
      SplittableRandom random = new SplittableRandom(spec.seed());
      boolean regression = !(data.labels() instanceof Examples.Labels.Classes);
      List<List<EpochMetrics>> histories = new ArrayList<>();
      for (int r = 0; r < replicas; r++) {
        histories.add(new ArrayList<>());
      }
      // The epoch's parts are methods of their own (and so are the per-row loops): the JIT then
      // compiles small units once per process, where one method holding every loop was compiled
      // on stack anew for each job, with its callees inlined, for 0.2-0.5 s of a core each time
      // (measured on the house-price job with JFR's compilation events).
      long step = 0;
      for (int epoch = 1; epoch <= spec.epochs(); epoch++) {
        Splits.shuffle(order, random);
        pick(trainRows, order, epochRows);
        long started = System.nanoTime();
        if (fresh != null) {
          if (epoch > 1) {
            g.replaceTrainingFeatures(fresh.take(epoch));
          }
          if (epoch < spec.epochs()) {
            fresh.drawAhead(epoch + 1);
          }
        }
        double[][] sums = trainEpoch(g, epochRows, step, epoch, cancel);
        step += g.stepsPerEpoch();
        // Replicas share the epoch's wall time; each reports its share, so durations add up.
        double seconds = (System.nanoTime() - started) / 1e9 / replicas;
        TrainingGraph.Measurement after = g.measure(regression ? trainRows : null, validationRows);
        report(epoch, folds, regression, n, sums, after, validationRows != null, seconds, histories, listener);
      }
      int classCount = data.labels() instanceof Examples.Labels.Classes c ? c.classCount() : 0;
      TrainingGraph.Measurement last = g.measure(trainRows, validationRows);
      List<List<Parameter>> parameters = g.parameters();
      List<TrainedModel> models = new ArrayList<>();
      for (int r = 0; r < replicas; r++) {
        models.add(
            new TrainedModel(
                spec,
                data.featureCount(),
                g.outputCount(),
                classCount,
                parameters.get(r),
                histories.get(r),
                last.train()[r],
                validationRows == null ? Optional.empty() : Optional.of(last.validation()[r])));
      }
      return models;
    }
  }

  /** Per replica, the rows of the epoch in shuffled order: {@code rows[r][order[j]]}. */
  private static void pick(int[][] rows, int[] order, int[][] into) {
    for (int r = 0; r < rows.length; r++) {
      int[] from = rows[r];
      int[] to = into[r];
      for (int j = 0; j < order.length; j++) {
        to[j] = from[order[j]];
      }
    }
  }

  /**
   * One epoch's training runs over the replicas' shuffled rows, from global step {@code step}.
   *
   * @return per replica the loss sum ({@code [0]}) and the correct count ({@code [1]}; NaN without
   *     class labels) over the epoch's examples
   */
  private static double[][] trainEpoch(
      TrainingGraph g, int[][] epochRows, long step, int epoch, CancellationSignal cancel) {
    int replicas = epochRows.length;
    int n = epochRows[0].length;
    double[][] sums = new double[2][replicas];
    int at = 0;
    while (at < n) {
      if (cancel.isCancelled()) {
        throw new TrainingCancelledException(epoch - 1);
      }
      int rows = g.rowsAt(at);
      int steps = g.stepsAt(at);
      double[] out = g.run(epochRows, at, step);
      for (int j = 0; j < out.length; j += 2) {
        int r = (j / 2) % replicas;
        sums[0][r] += out[j];
        sums[1][r] += out[j + 1];
      }
      at += rows;
      step += steps;
    }
    return sums;
  }

  /**
   * Each replica's metrics for the epoch to its history, then all of them to the listener in one
   * call: a single model's through {@code onEpoch}, folds' through {@code onEpochs}, so the
   * service records each epoch of a cross-validation once.
   */
  private static void report(
      int epoch, boolean folds, boolean regression, int n, double[][] sums, TrainingGraph.Measurement after,
      boolean validated, double seconds, List<List<EpochMetrics>> histories, TrainingListener listener) {
    List<EpochMetrics> epochMetrics = new ArrayList<>(histories.size());
    for (int r = 0; r < histories.size(); r++) {
      EpochMetrics metrics =
          new EpochMetrics(
              epoch,
              folds ? OptionalInt.of(r) : OptionalInt.empty(),
              sums[0][r] / n,
              regression ? Double.NaN : sums[1][r] / n,
              regression ? after.train()[r].rmse() : Double.NaN,
              regression ? after.train()[r].logRmse() : Double.NaN,
              validated ? Optional.of(after.validation()[r]) : Optional.empty(),
              after.weightNorms()[r],
              seconds,
              n / seconds);
      histories.get(r).add(metrics);
      epochMetrics.add(metrics);
    }
    if (epochMetrics.size() == 1) {
      listener.onEpoch(epochMetrics.get(0));
    } else {
      listener.onEpochs(epochMetrics);
    }
  }

  /**
   * Trains the K folds side by side in one graph (the folds of {@link Splits#kFold} are equally
   * sized): each fold's model sees exactly the batches it would see trained alone, and the
   * listener gets every fold's epoch e before any fold's epoch e + 1. An augmentation draws every
   * row once per epoch; a fold's steps gather only its training rows, and its validation reads
   * the deterministic features.
   */
  @Override
  public CrossValidationResult crossValidate(
      TrainingSpec spec,
      Examples examples,
      Optional<EpochAugmentation> augmentation,
      Folds folds,
      TrainingListener listener,
      CancellationSignal cancel) {
    List<FieldViolation> violations = new ArrayList<>(folds.validate(examples.count()));
    if (!violations.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(violations);
    }
    check(spec, examples, Optional.empty());
    augmentation.ifPresent(a -> requireSameShape(a, examples));
    List<Splits.Split> splits = Splits.kFold(examples.count(), folds);
    int[][] trainRows = new int[splits.size()][];
    int[][] validationRows = new int[splits.size()][];
    for (int i = 0; i < splits.size(); i++) {
      trainRows[i] = splits.get(i).train();
      validationRows[i] = splits.get(i).validation();
    }
    List<TrainedModel> models =
        trainReplicas(spec, examples, augmentation.orElse(null), null, trainRows, validationRows, true, listener, cancel);
    List<EvaluationMetrics> trains = new ArrayList<>();
    List<EvaluationMetrics> valids = new ArrayList<>();
    for (TrainedModel m : models) {
      trains.add(m.finalTrain());
      valids.add(m.finalEvaluation().orElseThrow());
    }
    return new CrossValidationResult(models, mean(trains), mean(valids));
  }

  private static EvaluationMetrics mean(List<EvaluationMetrics> all) {
    double loss = 0;
    double acc = 0;
    double rmse = 0;
    double logRmse = 0;
    long count = 0;
    for (EvaluationMetrics m : all) {
      loss += m.loss();
      acc += m.accuracy();
      rmse += m.rmse();
      logRmse += m.logRmse();
      count += m.count();
    }
    int k = all.size();
    return new EvaluationMetrics(count / k, loss / k, acc / k, rmse / k, logRmse / k);
  }

  /** What a session, its kernels and oneDNN's scratch take before any tensor of the job's own. */
  static final long SESSION_BYTES = 64L << 20;

  /**
   * The peak of a job's native memory, as this engine lays it out: K folds side by side and then
   * the final model on every example (one after the other, so the larger of the two graphs), each
   * with the data resident once (a float variable, plus the tensor it was fed from while it is
   * filled), the parameters per model with their optimiser slots, a gradient and a read, each
   * unrolled step's activations (forward values, their gradients and temporaries, two steps'
   * worth alive at once) and an epoch-end measurement chunk through both evaluators.
   */
  @Override
  public long memoryEstimate(TrainingSpec spec, JobShape shape) {
    long finalModel = graphBytes(spec, shape, 1, shape.trainRows(), shape.evaluationRows());
    if (shape.folds() == 0) {
      return finalModel;
    }
    return Math.max(finalModel, graphBytes(spec, shape, shape.folds(), shape.trainRows(), 0));
  }

  private static long graphBytes(TrainingSpec spec, JobShape shape, int replicas, long rows, long evaluationRows) {
    LayerPlan plan = LayerPlan.of(spec.model(), shape.featureCount(), shape.outputCount());
    // In doubles: a mistyped spec (thousands of 65536-unit layers, say) must come out huge, not
    // wrapped around.
    double parameters = 0;
    for (long[] dims : plan.parameterShapes()) {
      double size = 1;
      for (long d : dims) {
        size *= d;
      }
      parameters += size;
    }
    double width = plan.layers().get(0).inputs();
    for (LayerPlan.Dense d : plan.layers()) {
      width += d.outputs();
    }
    int slots = TrainingGraph.slotCount(spec.optimizer());
    double values = (double) (rows + evaluationRows) * (2.0 * shape.featureCount() + 1);
    values += replicas * parameters * (3 + slots);
    values += 2.0 * 3 * Math.min(spec.batchSize(), Math.max(rows, 1)) * replicas * width;
    values += 2.0 * Math.min(TrainingGraph.EVAL_CHUNK, (double) replicas * Math.max(rows, evaluationRows)) * width;
    double bytes = SESSION_BYTES + 4 * values;
    return bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) bytes;
  }

  @Override
  public Predictor predictor(TrainedModel model) {
    return new TfPredictor(model);
  }

  @Override
  public void exportSavedModel(TrainedModel model, Path directory) {
    TfPredictor.export(model, directory);
  }

  /**
   * Loads TensorFlow, probes the devices, then trains a throwaway two-fold linear regression with
   * Adam (folds side by side) on a few hundred made-up rows. TensorFlow's first training in a
   * process pays for its executors, kernels and graph optimiser once (measured: the house-price
   * 5-fold job took 2.4 s as the process's first training, 1.4 s after this); the throwaway job
   * pays it instead of the first client's. It stays that small on purpose: warming a Fashion-MNIST
   * sized MLP too (in each precision) kept about 40 MB more resident for no measurable gain.
   * Where a GPU is visible it trains once on each device, since AUTO puts small models on the CPU
   * and larger ones on the GPU.
   */
  @Override
  public void warmUp() {
    Device visible = resolveDevice(Device.AUTO);
    int rows = 288;
    int features = 16;
    float[] x = new float[rows * features];
    float[] targets = new float[rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < features; j++) {
        x[i * features + j] = ((i * 31 + j * 17) % 97) / 97f;
      }
      targets[i] = 1 + x[i * features];
    }
    TrainingSpec spec =
        TrainingSpec.builder()
            .model(new ModelSpec.LinearRegression())
            .loss(new Loss.Squared())
            .optimizer(Optimizer.Adam.defaults())
            .threads(processThreads)
            .device(Device.CPU)
            .batchSize(16)
            .epochs(1)
            .seed(1)
            .build();
    Examples examples = new Examples(rows, features, x, new Examples.Labels.Regression(targets));
    crossValidate(spec, examples, Folds.contiguous(2), TrainingListener.none(), CancellationSignal.never());
    if (visible == Device.GPU) {
      crossValidate(
          spec.toBuilder().device(Device.GPU).build(), examples, Folds.contiguous(2), TrainingListener.none(),
          CancellationSignal.never());
    }
  }

  /**
   * glibc's {@code malloc_trim}, through JavaCPP (TensorFlow's allocations are glibc's): freed
   * native memory otherwise stays resident. Measured on the 2-core VM after the server's warm-up
   * rehearsed a job on 1,000-row tables: resident 437 MB, 401 MB after the trim, 381 MB after a
   * collection and the trim (351 MB without the rehearsal); a collection alone left 430 MB.
   * JavaCPP keeps the call private (it makes it itself when its own allocations pass a limit), so
   * it is reached by reflection, and a JavaCPP without it only makes this return false.
   */
  @Override
  public boolean releaseUnusedMemory() {
    try {
      Method trim = org.bytedeco.javacpp.Pointer.class.getDeclaredMethod("trimMemory");
      trim.setAccessible(true);
      trim.invoke(null);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }

  @Override
  public String backendVersion() {
    return TfDevices.backendVersion();
  }

  @Override
  public boolean gpuBuild() {
    return TfDevices.gpuBuild(TfTrainer.class.getClassLoader());
  }

  /**
   * Multiply-adds of one model's matrix products in one training step below which {@link
   * Device#AUTO} trains on the CPU although a GPU is visible. Such a model's steps are a few
   * dozen small kernels, each launched on the GPU from the host, so the launches, not the
   * arithmetic, set the pace. On the NVIDIA H200 machine (BENCHMARKS.md, seventh and eighth
   * rounds) softmax regression (256 x 784 x 10, 2.0 M per step) took 0.139 s per epoch on the GPU
   * against 0.06 on two CPU cores, and the house-price 5-fold job (64 x 331, 21 k) 2.0 s against
   * 0.7; the MLPs (52 M and 69 M) were faster on the GPU (0.106 against 0.24 s, 0.223 against
   * 0.41). The threshold sits between, where neither device was measured.
   */
  static final long GPU_MIN_STEP_MULTIPLY_ADDS = 10_000_000L;

  /** Multiply-adds of one model's dense products in one full training step (forward pass). */
  static long stepMultiplyAdds(TrainingSpec spec, Examples train) {
    int outputs = spec.outputCount(train.labels());
    long perRow = 0;
    for (LayerPlan.Dense d : LayerPlan.of(spec.model(), train.featureCount(), outputs).layers()) {
      perRow += (long) d.inputs() * d.outputs();
    }
    return perRow * Math.min(spec.batchSize(), Math.max(1, train.count()));
  }

  /**
   * AUTO trains on the CPU when the model's steps are smaller than {@link
   * #GPU_MIN_STEP_MULTIPLY_ADDS}, else as {@link #resolveDevice(Device)}; CPU and GPU are kept.
   */
  @Override
  public Device resolveDevice(TrainingSpec spec, Examples train) {
    return placed(spec.device(), resolveDevice(spec.device()), stepMultiplyAdds(spec, train));
  }

  /**
   * Where a model of {@code multiplyAdds} per step asking for {@code requested} trains, given
   * where {@code requested} resolves to in this process.
   */
  static Device placed(Device requested, Device resolved, long multiplyAdds) {
    return requested == Device.AUTO && resolved == Device.GPU && multiplyAdds < GPU_MIN_STEP_MULTIPLY_ADDS
        ? Device.CPU
        : resolved;
  }

  @Override
  public Device resolveDevice(Device requested) {
    if (requested == Device.CPU) {
      return Device.CPU;
    }
    if (TfDevices.gpuCount(processThreads) > 0) {
      return Device.GPU;
    }
    if (requested == Device.GPU) {
      throw new TrainerdException.FailedPrecondition(
          "GPU_UNAVAILABLE", "this server has no GPU that TensorFlow can use; ask for device CPU or AUTO");
    }
    return Device.CPU;
  }
}
