package dev.trainerd.ml.tf;

import dev.trainerd.ml.EvaluationMetrics;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.InitialValues;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.Optimizer;
import dev.trainerd.ml.Parameter;
import dev.trainerd.ml.TrainingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.op.train.ResourceApplyMomentum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * One job's graph and session, built once: the data sets resident in resource variables, the
 * parameters and optimiser slots, a one-step training op for any batch size, an unrolled op that
 * runs {@code stepsPerRun} full-size steps in one {@code session.run} (per-run overhead dominates
 * small models), and forward-mode evaluation of any rows of a resident data set in chunks.
 *
 * <p>The graph holds {@code replicas} models of the same plan trained side by side on the same
 * resident data: every parameter and optimiser slot gets a leading {@code [replicas]} dimension
 * when there is more than one, each step takes one equally sized minibatch per replica, and the
 * losses, counts and norms come back per replica. K-fold cross-validation trains its folds this
 * way: each step's ops are K times wider instead of K times as many, and the graph, the session
 * and TensorFlow's first-run optimisation are paid for once rather than per fold.
 */
final class TrainingGraph implements AutoCloseable {

  /** Rows per evaluation run, all replicas together: bounds the activations held at once. */
  static final int EVAL_CHUNK = 8192;

  private final Graph graph;
  private final Session session;
  private final Ops tf;
  private final TrainingSpec spec;
  private final LayerPlan plan;
  private final int outputCount;
  private final int replicas;
  private final String unique = UUID.randomUUID().toString().replace("-", "");
  private final List<String> paramNames;
  private final List<long[]> paramShapes;
  /** Per parameter, its whole value (column blocks put back together): read for export only. */
  private final List<Operand<TFloat32>> paramReads = new ArrayList<>();
  /**
   * The variables the parameters are stored in, in parameter order: one per parameter, except
   * that a wide weight of a single replica is stored as {@code productSplits} column blocks (see
   * {@link Forward#outputs}).
   */
  private final List<Stored> stored = new ArrayList<>();
  private final List<Op> initOps = new ArrayList<>();
  private final Operand<TFloat32> weightNorm;

  private Resident trainData;
  /**
   * What the training steps gather features from: the training data's own features, or with
   * per-epoch augmentation a second variable holding the epoch's draw (evaluation keeps reading
   * the deterministic features).
   */
  private Operand<? extends TType> stepFeatures;
  private Placeholder<TFloat32> stepFeaturesValue;
  private Op assignStepFeatures;
  private final Forward.LabelStorage storage;
  private final int stepsPerRun;
  private final int productSplits;
  private final int trainRows;
  /** {@code stepsPerRun} full batches, or null when an epoch has fewer rows. */
  private Step block;
  /** What is left of an epoch after its blocks (full batches then a smaller one), or null. */
  private Step tail;
  private Evaluator trainEvaluator;
  private Evaluator validationEvaluator;

  /**
   * One variable holding columns {@code [fromColumn, toColumn)} of parameter {@code param} (all
   * of it when not split), with its optimiser state: momentum's accumulator, or Adam's first and
   * second moments.
   */
  private record Stored(
      int param, int fromColumn, int toColumn, Shape shape, Operand<? extends TType> handle, Operand<TFloat32> read,
      Placeholder<TFloat32> initValue, List<Operand<? extends TType>> slots) {}

  /** A data set living in two resource variables. */
  private final class Resident {
    final int count;
    final int featureCount;
    final Operand<? extends TType> x;
    final Operand<? extends TType> y;

    Resident(String name, Examples examples) {
      count = examples.count();
      int f = examples.featureCount();
      featureCount = f;
      Shape xShape = Shape.of(count, f);
      x = tf.withName(name + "_x").varHandleOp(TFloat32.class, xShape, VarHandleOp.sharedName(name + "_x_" + unique));
      Class<? extends TType> yType = storage == Forward.LabelStorage.CLASSES ? TInt32.class : TFloat32.class;
      Shape yShape = storage == Forward.LabelStorage.CLASSES ? Shape.of(count) : Shape.of(count, 1);
      y = tf.withName(name + "_y").varHandleOp(yType, yShape, VarHandleOp.sharedName(name + "_y_" + unique));
      Placeholder<? extends TType> yValue = tf.placeholder(yType, Placeholder.shape(yShape));
      Op assignY = tf.assignVariableOp(y, yValue);
      Session.Runner fill = session.runner();
      List<TType> fed = new ArrayList<>();
      try {
        if (examples.values() instanceof Examples.Values.UnsignedBytes bytes) {
          // Fed as the bytes and divided in the graph: a quarter of the data crosses from Java,
          // and the variable takes the quotient without a second copy of the floats.
          Placeholder<TUint8> raw = tf.placeholder(TUint8.class, Placeholder.shape(xShape));
          Placeholder<TFloat32> divisor = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
          fill.addTarget(tf.assignVariableOp(x, Forward.bytesAsFloats(tf, raw, divisor)));
          fill.feed(raw, closedLater(fed, TUint8.tensorOf(xShape, DataBuffers.of(bytes.values(), true, false))));
          fill.feed(divisor, closedLater(fed, TFloat32.scalarOf(bytes.divisor())));
        } else {
          Placeholder<TFloat32> floats = tf.placeholder(TFloat32.class, Placeholder.shape(xShape));
          fill.addTarget(tf.assignVariableOp(x, floats));
          fill.feed(floats, closedLater(fed, TFloat32.tensorOf(xShape, DataBuffers.of(examples.features(), true, false))));
        }
        fill.feed(yValue, closedLater(fed, labelTensor(examples.labels()))).addTarget(assignY).run();
      } finally {
        fed.forEach(TType::close);
      }
    }
  }

  /** {@code tensor}, kept in {@code fed} to be closed once the run that feeds it is done. */
  static <T extends TType> T closedLater(List<TType> fed, T tensor) {
    fed.add(tensor);
    return tensor;
  }

  /** A forward-mode op over rows of one resident data set, summing the metrics per replica. */
  private final class Evaluator {
    /** Rows to evaluate, {@code [replicas, n]}: row group r goes through replica r. */
    final Placeholder<TInt32> rows;
    /** Per replica ({@code [replicas]}): loss sum, then correct count or squared-error sums. */
    final List<Operand<TFloat32>> sums;

    Evaluator(Resident data) {
      rows = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(replicas, -1)));
      Operand<TInt32> idx = tf.reshape(rows, tf.constant(new int[] {-1}));
      Class<? extends TType> yType = storage == Forward.LabelStorage.CLASSES ? TInt32.class : TFloat32.class;
      Operand<TFloat32> features = tf.resourceGather(data.x, idx, TFloat32.class);
      Operand<? extends TType> labels = tf.resourceGather(data.y, idx, yType);
      Operand<TFloat32> out = Forward.outputs(tf, plan, features, byParameter(stored.stream().map(Stored::read).toList()), null, replicas);
      Operand<TFloat32> target =
          Forward.outputSpaceTarget(tf, spec.loss(), spec.logTarget(), storage, labels, outputCount);
      List<Operand<TFloat32>> s = new ArrayList<>();
      s.add(byReplica(TfLosses.perExample(tf, spec.loss(), out, target)));
      if (storage == Forward.LabelStorage.CLASSES) {
        @SuppressWarnings("unchecked")
        Operand<TInt32> classes = (Operand<TInt32>) labels;
        s.add(byReplica(Forward.correct(tf, out, classes, outputCount)));
      } else {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> values = (Operand<TFloat32>) labels;
        for (Operand<TFloat32> e : Forward.regressionErrors(tf, Forward.originalScale(tf, spec.logTarget(), out), values)) {
          s.add(byReplica(e));
        }
      }
      sums = s;
    }
  }

  /** Sums a per-example tensor ({@code [replicas * n]} or {@code [replicas * n, 1]}) per replica. */
  private Operand<TFloat32> byReplica(Operand<TFloat32> perExample) {
    return tf.sum(tf.reshape(perExample, tf.constant(new int[] {replicas, -1})), tf.constant(1));
  }

  private EvaluationMetrics metrics(long count, double[] totals) {
    double loss = totals[0] / count;
    if (storage == Forward.LabelStorage.CLASSES) {
      return new EvaluationMetrics(count, loss, totals[1] / count, Double.NaN, Double.NaN);
    }
    return new EvaluationMetrics(
        count, loss, Double.NaN, Math.sqrt(totals[1] / count), Math.sqrt(totals[2] / count));
  }

  /**
   * A compiled training op: {@code steps} chained minibatch steps over {@code rows} rows per
   * replica, fed as {@code [replicas, rows]}.
   */
  private record Step(
      int rows, int steps, Placeholder<TInt32> indices, Placeholder<TInt64> stepBase, Operand<TFloat32> lossSum,
      Operand<TFloat32> correct, Op train) {}

  /**
   * @param train the training examples, made resident; replicas train on rows of it
   * @param evaluation a second data set made resident; {@link #measure} validates on it when
   *     given, else on rows of {@code train}
   * @param replicaRows per replica (models trained side by side; one for an ordinary job), the
   *     rows of {@code train} it trains on, all equally many: the epoch's shape (blocks of {@code
   *     stepsPerRun} full batches, then one tail run) is built for that count
   * @param augmented whether the steps train on features given per epoch ({@link
   *     #replaceTrainingFeatures}) instead of {@code train}'s
   */
  TrainingGraph(
      TrainingSpec spec, Examples train, Examples evaluation, int[][] replicaRows, boolean augmented,
      int stepsPerRun, int productSplits) {
    if (replicaRows.length < 1) {
      throw new IllegalArgumentException("at least one replica is needed");
    }
    this.replicas = replicaRows.length;
    this.trainRows = replicaRows[0].length;
    this.productSplits = productSplits;
    this.spec = spec;
    this.outputCount = spec.outputCount(train.labels());
    this.plan = LayerPlan.of(spec.model(), train.featureCount(), outputCount);
    this.storage = Forward.LabelStorage.of(train.labels());
    this.stepsPerRun = stepsPerRun;
    this.paramNames = plan.parameterNames();
    this.paramShapes = plan.parameterShapes();
    graph = new Graph();
    boolean ok = false;
    try {
      session = new Session(graph, SessionConfigs.of(spec.threads(), spec.device(), spec.precision()));
      tf = Ops.create(graph);
      createParameterVariables();
      List<Operand<TFloat32>> squares = new ArrayList<>();
      for (Stored v : stored) {
        if (!paramNames.get(v.param()).endsWith("/bias")) {
          int[] axes = replicas == 1 ? new int[] {0, 1} : new int[] {1, 2};
          squares.add(tf.sum(tf.math.mul(v.read(), v.read()), tf.constant(axes)));
        }
      }
      weightNorm = tf.reshape(tf.math.sqrt(tf.math.addN(squares)), tf.constant(new int[] {replicas}));
      trainData = new Resident("train", train);
      stepFeatures = trainData.x;
      if (augmented) {
        Shape shape = Shape.of(train.count(), train.featureCount());
        stepFeatures =
            tf.withName("augmented_x").varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName("augmented_x_" + unique));
        stepFeaturesValue = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
        assignStepFeatures = tf.assignVariableOp(stepFeatures, stepFeaturesValue);
      }
      trainEvaluator = new Evaluator(trainData);
      validationEvaluator = new Evaluator(evaluation == null ? trainData : new Resident("eval", evaluation));
      buildOptimizerSlotsAndSteps();
      initialise(outputBiasStarts(spec, train, replicaRows));
      ok = true;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  /** Optimiser state per parameter value: momentum's accumulator, or Adam's two moments. */
  static int slotCount(Optimizer optimizer) {
    return optimizer instanceof Optimizer.Momentum ? 1 : optimizer instanceof Optimizer.Adam ? 2 : 0;
  }

  /** The parameters' variables with their optimiser slots, and the logical reads for export. */
  private void createParameterVariables() {
    int slotCount = slotCount(spec.optimizer());
    for (int i = 0; i < paramNames.size(); i++) {
      int blocks = columnBlocks(i);
      long[] logical = paramShapes.get(i);
      int columns = (int) logical[logical.length - 1];
      List<Operand<TFloat32>> reads = new ArrayList<>();
      for (int b = 0; b < blocks; b++) {
        int from = b * columns / blocks;
        int to = (b + 1) * columns / blocks;
        Shape shape = variableShape(i);
        if (blocks > 1) {
          shape = Shape.of(logical[0], to - from);
        }
        String name = paramNames.get(i).replace('/', '_') + (blocks > 1 ? "_block" + b : "");
        Operand<? extends TType> handle =
            tf.withName(name).varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName(name + "_" + unique));
        Placeholder<TFloat32> value = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
        initOps.add(tf.assignVariableOp(handle, value));
        List<Operand<? extends TType>> slots = new ArrayList<>();
        for (int j = 0; j < slotCount; j++) {
          String slotName = name + "_slot" + j;
          Operand<? extends TType> slot =
              tf.withName(slotName).varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName(slotName + "_" + unique));
          initOps.add(tf.assignVariableOp(slot, tf.fill(tf.constant(shape), tf.constant(0f))));
          slots.add(slot);
        }
        Stored v = new Stored(i, from, to, shape, handle, tf.readVariableOp(handle, TFloat32.class), value, slots);
        stored.add(v);
        reads.add(v.read());
      }
      paramReads.add(blocks == 1 ? reads.get(0) : tf.concat(reads, tf.constant(1)));
    }
  }

  /**
   * How many column blocks parameter {@code i} is stored as: {@code productSplits} for a weight
   * of a single replica wide enough that each block's product is still worth a core (at least 64
   * columns), else one.
   */
  private int columnBlocks(int i) {
    long[] shape = paramShapes.get(i);
    if (replicas > 1 || productSplits <= 1 || paramNames.get(i).endsWith("/bias") || shape.length != 2) {
      return 1;
    }
    long columns = shape[1];
    return columns % productSplits == 0 && columns >= 64L * productSplits ? productSplits : 1;
  }

  /**
   * Groups {@code perStored} (one operand per entry of {@link #stored}, in its order) by parameter:
   * per parameter, its blocks' operands.
   */
  private List<List<Operand<TFloat32>>> byParameter(List<Operand<TFloat32>> perStored) {
    List<List<Operand<TFloat32>>> out = new ArrayList<>();
    for (int i = 0; i < stored.size(); i++) {
      int param = stored.get(i).param();
      if (out.size() == param) {
        out.add(new ArrayList<>());
      }
      out.get(param).add(perStored.get(i));
    }
    return out;
  }

  /**
   * How many row groups a step of {@code size} rows is split into: {@code productSplits} for a
   * single replica whose parameters are all stored whole (a narrow model such as softmax
   * regression) when each group still gathers at least 64 rows and 16384 feature values, else
   * one. Each group gathers its rows, runs the forward pass and its gradient on its own, and the
   * groups' gradients are summed, so the inter-op pool puts one group on each core where a wide
   * model gets the same from its column blocks (softmax regression: 0.130 to 0.096 s per epoch,
   * BENCHMARKS.md). The gradient is the same sum over the batch's rows, added in another order.
   */
  int rowGroups(int size) {
    if (replicas > 1 || productSplits <= 1 || stored.size() != paramNames.size()) {
      return 1;
    }
    long perGroup = size / productSplits;
    return perGroup >= 64 && perGroup * plan.layers().get(0).inputs() >= 16384 ? productSplits : 1;
  }

  private void buildOptimizerSlotsAndSteps() {
    int batch = spec.batchSize();
    long blockRows = (long) batch * stepsPerRun;
    if (blockRows <= trainRows) {
      block = buildSteps((int) blockRows);
    }
    int tailRows = (int) (trainRows % blockRows);
    if (tailRows > 0) {
      tail = buildSteps(tailRows);
    }
  }

  /**
   * Chained steps over {@code rows} rows per replica: full batches, then a smaller last one
   * averaged over its own size. Step j reads the parameters after step j-1's updates.
   */
  private Step buildSteps(int rows) {
    Placeholder<TInt32> indices = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(replicas, rows)));
    Placeholder<TInt64> base = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    int batch = spec.batchSize();
    int k = (rows + batch - 1) / batch;
    List<Op> previous = List.of();
    List<Operand<TFloat32>> lossSums = new ArrayList<>();
    List<Operand<TFloat32>> corrects = new ArrayList<>();
    Operand<TFloat32> lr = tf.constant((float) spec.learningRate());
    // Every op goes in the root scope: a sub-scope per step re-reads every op name of the graph
    // (over JNI) each time one is made, which made building the steps quadratic in their number.
    for (int j = 0; j < k; j++) {
      int size = Math.min(batch, rows - j * batch);
      // Sliced even when it is the whole feed: every step then has the same structure, and the
      // metrics stay identical whatever the number of steps per run.
      Operand<TInt32> idx =
          tf.reshape(
              tf.slice(indices, tf.constant(new int[] {0, j * batch}), tf.constant(new int[] {replicas, size})),
              tf.constant(new int[] {-1}));
      Operand<TInt64> stepNumber = tf.math.add(base, tf.constant((long) j));
      Ops reader = previous.isEmpty() ? tf : tf.withControlDependencies(previous);
      List<Operand<TFloat32>> reads = new ArrayList<>();
      for (Stored v : stored) {
        reads.add(reader.readVariableOp(v.handle(), TFloat32.class));
      }
      int groups = rowGroups(size);
      List<List<Operand<TFloat32>>> params = byParameter(reads);
      List<RowGroup> parts = new ArrayList<>();
      for (int g = 0; g < groups; g++) {
        int from = g * size / groups;
        int to = (g + 1) * size / groups;
        Operand<TInt32> rowIdx =
            groups == 1 ? idx : tf.slice(idx, tf.constant(new int[] {from}), tf.constant(new int[] {to - from}));
        parts.add(forwardRows(rowIdx, params, stepNumber, g));
      }
      List<Operand<TFloat32>> partLosses = parts.stream().map(RowGroup::lossSum).toList();
      Operand<TFloat32> objective;
      if (groups > 1) {
        objective = tf.math.div(tf.reshape(tf.math.addN(partLosses), tf.constant(new int[0])), tf.constant((float) size));
      } else if (replicas == 1) {
        objective = tf.math.mean(parts.get(0).perExample(), tf.constant(0));
      } else {
        // Replicas are independent: the sum of their mean losses gives each its own gradient.
        objective =
            tf.sum(
                tf.math.mean(tf.reshape(parts.get(0).perExample(), tf.constant(new int[] {replicas, -1})), tf.constant(1)),
                tf.constant(0));
      }
      if (spec.weightDecay().lambda() > 0) {
        List<Operand<TFloat32>> penalties = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
          if (spec.weightDecay().includeBiases() || !paramNames.get(stored.get(i).param()).endsWith("/bias")) {
            penalties.add(tf.nn.l2Loss(reads.get(i)));
          }
        }
        objective =
            tf.math.add(objective, tf.math.mul(tf.constant((float) spec.weightDecay().lambda()), tf.math.addN(penalties)));
      }
      var grads = tf.gradients(objective, reads);
      List<Op> applies = new ArrayList<>();
      for (int i = 0; i < reads.size(); i++) {
        applies.add(apply(i, lr, grads.dy(i), stepNumber));
      }
      lossSums.add(groups == 1 ? partLosses.get(0) : tf.math.addN(partLosses));
      if (storage == Forward.LabelStorage.CLASSES) {
        List<Operand<TFloat32>> partCorrects = parts.stream().map(RowGroup::correct).toList();
        corrects.add(groups == 1 ? partCorrects.get(0) : tf.math.addN(partCorrects));
      }
      previous = applies;
    }
    Op train = tf.withControlDependencies(previous).noOp();
    // Per-step sums come back as vectors and are added in Java, in step order, so the epoch
    // metrics do not depend on how many steps share a run.
    Operand<TFloat32> lossSum = tf.stack(lossSums);
    Operand<TFloat32> correct = corrects.isEmpty() ? null : tf.stack(corrects);
    return new Step(rows, k, indices, base, lossSum, correct, train);
  }

  /**
   * One row group's part of a step: per example its loss ({@code [rows]}), and per replica the
   * loss sum and (class labels only, else null) the correct count.
   */
  private record RowGroup(Operand<TFloat32> perExample, Operand<TFloat32> lossSum, Operand<TFloat32> correct) {}

  /**
   * The forward pass and loss over the training rows {@code rowIdx} (replica-major). Row group
   * {@code group} of a step draws its dropout masks from its own seed.
   */
  private RowGroup forwardRows(
      Operand<TInt32> rowIdx, List<List<Operand<TFloat32>>> params, Operand<TInt64> stepNumber, int group) {
    Class<? extends TType> yType = storage == Forward.LabelStorage.CLASSES ? TInt32.class : TFloat32.class;
    Operand<TFloat32> x = tf.resourceGather(stepFeatures, rowIdx, TFloat32.class);
    Operand<? extends TType> y = tf.resourceGather(trainData.y, rowIdx, yType);
    Operand<TInt64> seed = tf.stack(List.of(tf.constant(spec.seed() + group), tf.math.mul(stepNumber, tf.constant(1024L))));
    Operand<TFloat32> out = Forward.outputs(tf, plan, x, params, seed, replicas);
    Operand<TFloat32> target = Forward.outputSpaceTarget(tf, spec.loss(), spec.logTarget(), storage, y, outputCount);
    Operand<TFloat32> perExample = TfLosses.perExample(tf, spec.loss(), out, target);
    Operand<TFloat32> correct = null;
    if (storage == Forward.LabelStorage.CLASSES) {
      @SuppressWarnings("unchecked")
      Operand<TInt32> classes = (Operand<TInt32>) y;
      correct = byReplica(Forward.correct(tf, out, classes, outputCount));
    }
    return new RowGroup(perExample, byReplica(perExample), correct);
  }

  private Op apply(int i, Operand<TFloat32> lr, Operand<TFloat32> grad, Operand<TInt64> stepNumber) {
    Operand<? extends TType> var = stored.get(i).handle();
    List<Operand<? extends TType>> slots = stored.get(i).slots();
    if (spec.optimizer() instanceof Optimizer.Momentum m) {
      return tf.train.resourceApplyMomentum(
          var, slots.get(0), lr, grad, tf.constant((float) m.momentum()),
          ResourceApplyMomentum.useNesterov(m.nesterov()));
    }
    if (spec.optimizer() instanceof Optimizer.Adam a) {
      Operand<TFloat32> t = tf.dtypes.cast(tf.math.add(stepNumber, tf.constant(1L)), TFloat32.class);
      Operand<TFloat32> b1 = tf.constant((float) a.beta1());
      Operand<TFloat32> b2 = tf.constant((float) a.beta2());
      return tf.train.resourceApplyAdam(
          var, slots.get(0), slots.get(1), tf.math.pow(b1, t), tf.math.pow(b2, t), lr, b1, b2,
          tf.constant((float) a.epsilon()), grad);
    }
    return tf.train.resourceApplyGradientDescent(var, lr, grad);
  }

  /**
   * A log-target model's output bias starts at the mean of {@code log(y)} over the training
   * examples, so training starts from the geometric mean of the targets instead of exp(0) = 1: a
   * house price is exp(12), which small Adam steps would otherwise spend most epochs reaching.
   * Warm starts and explicit per-parameter rules keep their own values.
   *
   * @return per replica, the mean over its rows; null when the bias keeps its initialiser's values
   */
  private static float[] outputBiasStarts(TrainingSpec spec, Examples train, int[][] replicaRows) {
    if (!spec.logTarget()
        || !(train.labels() instanceof Examples.Labels.Regression r)
        || spec.initializer() instanceof dev.trainerd.ml.Initializer.Load
        || spec.initializer() instanceof dev.trainerd.ml.Initializer.Mixed
        || replicaRows[0].length == 0) {
      return null;
    }
    float[] out = new float[replicaRows.length];
    for (int k = 0; k < replicaRows.length; k++) {
      double sum = 0;
      for (int row : replicaRows[k]) {
        sum += Math.log(r.values()[row]);
      }
      out[k] = (float) (sum / replicaRows[k].length);
    }
    return out;
  }

  private void initialise(float[] outputBiases) {
    List<TFloat32> tensors = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      float[] one = null;
      for (Stored v : stored) {
        int i = v.param();
        long[] logical = paramShapes.get(i);
        if (v.fromColumn() == 0) {
          one = InitialValues.draw(spec.initializer(), paramNames.get(i), logical, spec.seed());
        }
        float[] block = one;
        int columns = (int) logical[logical.length - 1];
        if (v.toColumn() - v.fromColumn() != columns) {
          int width = v.toColumn() - v.fromColumn();
          block = new float[(int) logical[0] * width];
          for (int row = 0; row < logical[0]; row++) {
            System.arraycopy(one, row * columns + v.fromColumn(), block, row * width, width);
          }
        }
        // Every replica starts from the same values, as the same job trained alone would, except
        // a log-target output bias, which starts at the mean over the replica's own rows.
        boolean outputBias = i == paramNames.size() - 1 && paramNames.get(i).endsWith("/bias") && outputBiases != null;
        float[] values = new float[block.length * replicas];
        for (int r = 0; r < replicas; r++) {
          System.arraycopy(block, 0, values, r * block.length, block.length);
          if (outputBias) {
            java.util.Arrays.fill(values, r * block.length, (r + 1) * block.length, outputBiases[r]);
          }
        }
        TFloat32 t = TFloat32.tensorOf(v.shape(), DataBuffers.of(values, true, false));
        tensors.add(t);
        runner.feed(v.initValue(), t);
      }
      initOps.forEach(runner::addTarget);
      runner.run();
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  private TType labelTensor(Examples.Labels labels) {
    if (labels instanceof Examples.Labels.Classes c) {
      return TInt32.tensorOf(Shape.of(c.values().length), DataBuffers.of(c.values(), true, false));
    }
    float[] v = ((Examples.Labels.Regression) labels).values();
    return TFloat32.tensorOf(Shape.of(v.length, 1), DataBuffers.of(v, true, false));
  }

  /** Parameter i's variable: its plan shape, with a leading replica dimension when there are several. */
  private Shape variableShape(int i) {
    long[] shape = paramShapes.get(i);
    if (replicas == 1) {
      return Shape.of(shape);
    }
    long[] withReplicas = new long[shape.length + 1];
    withReplicas[0] = replicas;
    System.arraycopy(shape, 0, withReplicas, 1, shape.length);
    return Shape.of(withReplicas);
  }

  /** Width of the output layer. */
  int outputCount() {
    return outputCount;
  }

  /** The op that trains from position {@code from} of an epoch: a block while one fits, then the tail. */
  private Step stepAt(int from) {
    return block != null && trainRows - from >= block.rows() ? block : tail;
  }

  /** Rows per replica that {@link #run} consumes from position {@code from} of an epoch. */
  int rowsAt(int from) {
    return stepAt(from).rows();
  }

  /** Minibatch steps in one epoch: its full batches, then a smaller last one. */
  int stepsPerEpoch() {
    return (trainRows + spec.batchSize() - 1) / spec.batchSize();
  }

  /** Minibatch steps that {@link #run} takes from position {@code from} of an epoch. */
  int stepsAt(int from) {
    return stepAt(from).steps();
  }

  /**
   * Trains on positions {@code [from, from + rowsAt(from))} of every replica's row order for the
   * epoch ({@code rows[r]} holds rows of the resident training data).
   *
   * @return per step in order, per replica in order: loss sum, correct count (NaN without class
   *     labels)
   */
  double[] run(int[][] rows, int from, long stepNumber) {
    Step step = stepAt(from);
    int count = step.rows();
    int[] slice = new int[replicas * count];
    for (int r = 0; r < replicas; r++) {
      System.arraycopy(rows[r], from, slice, r * count, count);
    }
    try (TInt32 idx = TInt32.tensorOf(Shape.of(replicas, count), DataBuffers.of(slice, true, false));
        TInt64 base = TInt64.scalarOf(stepNumber)) {
      Session.Runner runner =
          session.runner().feed(step.indices(), idx).feed(step.stepBase(), base).fetch(step.lossSum()).addTarget(step.train());
      if (step.correct() != null) {
        runner.fetch(step.correct());
      }
      try (Result r = runner.run()) {
        double[] out = new double[2 * step.steps() * replicas];
        TFloat32 losses = (TFloat32) r.get(0);
        TFloat32 corrects = step.correct() != null ? (TFloat32) r.get(1) : null;
        for (int j = 0; j < step.steps(); j++) {
          for (int k = 0; k < replicas; k++) {
            int at = 2 * (j * replicas + k);
            out[at] = losses.getFloat(j, k);
            out[at + 1] = corrects != null ? corrects.getFloat(j, k) : Double.NaN;
          }
        }
        return out;
      }
    }
  }

  /**
   * Forward-mode metrics and weight norms, per replica.
   *
   * @param train metrics over the training data set, or null
   * @param validation metrics over the evaluation data set when the graph has one, else over
   *     rows of the training data set, or null
   * @param weightNorms {@code sqrt(sum w^2)} over the weights (biases excluded)
   */
  record Measurement(EvaluationMetrics[] train, EvaluationMetrics[] validation, double[] weightNorms) {}

  /**
   * Measures every replica in as few runs as the row counts allow: both evaluations and the
   * weight norms share each run, in chunks that bound the activations held at once.
   *
   * @param trainRows per replica, rows of the training data to evaluate, or null to skip
   * @param validationRows per replica, rows of the evaluation data set (or of the training data
   *     when there is none), or null to skip
   */
  Measurement measure(int[][] trainRows, int[][] validationRows) {
    Evaluator[] evaluators = {trainEvaluator, validationEvaluator};
    int[][][] requests = {trainRows, validationRows};
    double[][][] totals = new double[2][][];
    int longest = 0;
    for (int e = 0; e < 2; e++) {
      if (requests[e] != null) {
        totals[e] = new double[replicas][evaluators[e].sums.size()];
        longest = Math.max(longest, requests[e][0].length);
      }
    }
    double[] norms = new double[replicas];
    int chunk = Math.max(1, EVAL_CHUNK / replicas);
    List<TInt32> fed = new ArrayList<>();
    try {
      for (int at = 0; at == 0 || at < longest; at += chunk) {
        Session.Runner runner = session.runner();
        List<Integer> active = new ArrayList<>();
        for (int e = 0; e < 2; e++) {
          if (requests[e] != null && at < requests[e][0].length) {
            TInt32 idx = rowsTensor(requests[e], at, Math.min(chunk, requests[e][0].length - at));
            fed.add(idx);
            runner.feed(evaluators[e].rows, idx);
            evaluators[e].sums.forEach(runner::fetch);
            active.add(e);
          }
        }
        if (at == 0) {
          runner.fetch(weightNorm);
        }
        try (Result result = runner.run()) {
          int i = 0;
          for (int e : active) {
            for (int m = 0; m < evaluators[e].sums.size(); m++) {
              TFloat32 t = (TFloat32) result.get(i++);
              for (int r = 0; r < replicas; r++) {
                totals[e][r][m] += t.getFloat(r);
              }
            }
          }
          if (at == 0) {
            TFloat32 t = (TFloat32) result.get(i);
            for (int r = 0; r < replicas; r++) {
              norms[r] = t.getFloat(r);
            }
          }
        }
        fed.forEach(TInt32::close);
        fed.clear();
      }
    } finally {
      fed.forEach(TInt32::close);
    }
    EvaluationMetrics[][] metrics = new EvaluationMetrics[2][];
    for (int e = 0; e < 2; e++) {
      if (requests[e] != null) {
        metrics[e] = new EvaluationMetrics[replicas];
        for (int r = 0; r < replicas; r++) {
          metrics[e][r] = metrics(requests[e][0].length, totals[e][r]);
        }
      }
    }
    return new Measurement(metrics[0], metrics[1], norms);
  }

  private TInt32 rowsTensor(int[][] rows, int from, int count) {
    int[] slice = new int[replicas * count];
    for (int r = 0; r < replicas; r++) {
      System.arraycopy(rows[r], from, slice, r * count, count);
    }
    return TInt32.tensorOf(Shape.of(replicas, count), DataBuffers.of(slice, true, false));
  }

  /**
   * Gives the training steps new features for every row of the training data (one assignment;
   * labels and evaluation stay on the data's own features). Only for an augmented graph.
   */
  void replaceTrainingFeatures(float[] features) {
    if (assignStepFeatures == null) {
      throw new IllegalStateException("the graph was not built for per-epoch features");
    }
    int count = trainData.count;
    int f = trainData.featureCount;
    if (features.length != (long) count * f) {
      throw new IllegalArgumentException("features has " + features.length + " values, expected " + count + " x " + f);
    }
    try (TFloat32 xt = TFloat32.tensorOf(Shape.of(count, f), DataBuffers.of(features, true, false))) {
      session.runner().feed(stepFeaturesValue, xt).addTarget(assignStepFeatures).run();
    }
  }

  /** Current parameter values per replica, each in layer order. */
  List<List<Parameter>> parameters() {
    Session.Runner runner = session.runner();
    paramReads.forEach(runner::fetch);
    List<List<Parameter>> out = new ArrayList<>();
    for (int r = 0; r < replicas; r++) {
      out.add(new ArrayList<>());
    }
    try (Result result = runner.run()) {
      for (int i = 0; i < paramNames.size(); i++) {
        TFloat32 t = (TFloat32) result.get(i);
        float[] all = new float[(int) t.shape().size()];
        t.copyTo(DataBuffers.of(all, false, false));
        int size = all.length / replicas;
        for (int r = 0; r < replicas; r++) {
          float[] values = java.util.Arrays.copyOfRange(all, r * size, (r + 1) * size);
          out.get(r).add(new Parameter(paramNames.get(i), paramShapes.get(i), values));
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }
}
