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
import org.tensorflow.types.family.TType;

/**
 * One job's graph and session, built once: the data sets resident in resource variables, the
 * parameters and optimiser slots, a one-step training op for any batch size, an unrolled op that
 * runs {@code stepsPerRun} full-size steps in one {@code session.run} (per-run overhead dominates
 * small models), and forward-mode evaluation over a resident data set in chunks.
 */
final class TrainingGraph implements AutoCloseable {

  /** Rows per evaluation run: bounds the activations held at once. */
  private static final int EVAL_CHUNK = 8192;

  private final Graph graph;
  private final Session session;
  private final Ops tf;
  private final TrainingSpec spec;
  private final LayerPlan plan;
  private final int outputCount;
  private final String unique = UUID.randomUUID().toString().replace("-", "");
  private final List<Operand<? extends TType>> paramHandles = new ArrayList<>();
  private final List<String> paramNames;
  private final List<long[]> paramShapes;
  private final List<Operand<TFloat32>> paramReads = new ArrayList<>();
  private final List<Placeholder<TFloat32>> paramInitValues = new ArrayList<>();
  private final List<Op> initOps = new ArrayList<>();
  /** Optimiser state per parameter: momentum's accumulator, or Adam's first and second moments. */
  private final List<List<Operand<? extends TType>>> slots = new ArrayList<>();
  private final Operand<TFloat32> weightNorm;

  private Resident trainData;
  private Resident evalData;
  private final Forward.LabelStorage storage;
  private final int stepsPerRun;
  private final int productSplits;
  private Step single;
  private Step block;

  /** A data set living in two resource variables, with its evaluation ops. */
  private final class Resident {
    final int count;
    final Operand<? extends TType> x;
    final Operand<? extends TType> y;
    final Placeholder<TInt32> start;
    final Placeholder<TInt32> size;
    final List<Operand<TFloat32>> sums;

    Resident(String name, Examples examples) {
      count = examples.count();
      int f = examples.featureCount();
      x = tf.withName(name + "_x").varHandleOp(TFloat32.class, Shape.of(count, f), VarHandleOp.sharedName(name + "_x_" + unique));
      Placeholder<TFloat32> xValue = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(count, f)));
      Class<? extends TType> yType = storage == Forward.LabelStorage.CLASSES ? TInt32.class : TFloat32.class;
      Shape yShape = storage == Forward.LabelStorage.CLASSES ? Shape.of(count) : Shape.of(count, 1);
      y = tf.withName(name + "_y").varHandleOp(yType, yShape, VarHandleOp.sharedName(name + "_y_" + unique));
      Placeholder<? extends TType> yValue = tf.placeholder(yType, Placeholder.shape(yShape));
      Op assignX = tf.assignVariableOp(x, xValue);
      Op assignY = tf.assignVariableOp(y, yValue);
      try (TFloat32 xt = TFloat32.tensorOf(Shape.of(count, f), DataBuffers.of(examples.features(), true, false));
          TType yt = labelTensor(examples.labels())) {
        session.runner().feed(xValue, xt).feed(yValue, yt).addTarget(assignX).addTarget(assignY).run();
      }
      start = tf.placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
      size = tf.placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
      Operand<TInt32> idx = tf.range(start, tf.math.add(start, size), tf.constant(1));
      Operand<TFloat32> features = tf.resourceGather(x, idx, TFloat32.class);
      Operand<? extends TType> labels = tf.resourceGather(y, idx, yType);
      Operand<TFloat32> out = Forward.outputs(tf, plan, features, paramReads, null, productSplits);
      Operand<TFloat32> target =
          Forward.outputSpaceTarget(tf, spec.loss(), spec.logTarget(), storage, labels, outputCount);
      List<Operand<TFloat32>> s = new ArrayList<>();
      s.add(tf.sum(TfLosses.perExample(tf, spec.loss(), out, target), tf.constant(0)));
      if (storage == Forward.LabelStorage.CLASSES) {
        @SuppressWarnings("unchecked")
        Operand<TInt32> classes = (Operand<TInt32>) labels;
        s.add(Forward.correctCount(tf, out, classes, outputCount));
      } else {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> values = (Operand<TFloat32>) labels;
        s.addAll(Forward.regressionSums(tf, Forward.originalScale(tf, spec.logTarget(), out), values));
      }
      sums = s;
    }

    EvaluationMetrics evaluate() {
      double[] totals = new double[sums.size()];
      for (int at = 0; at < count; at += EVAL_CHUNK) {
        int n = Math.min(EVAL_CHUNK, count - at);
        try (TInt32 st = TInt32.scalarOf(at);
            TInt32 sz = TInt32.scalarOf(n)) {
          Session.Runner runner = session.runner().feed(start, st).feed(size, sz);
          sums.forEach(runner::fetch);
          try (Result r = runner.run()) {
            for (int i = 0; i < totals.length; i++) {
              totals[i] += ((TFloat32) r.get(i)).getFloat();
            }
          }
        }
      }
      return metrics(count, totals);
    }
  }

  private EvaluationMetrics metrics(long count, double[] totals) {
    double loss = totals[0] / count;
    if (storage == Forward.LabelStorage.CLASSES) {
      return new EvaluationMetrics(count, loss, totals[1] / count, Double.NaN, Double.NaN);
    }
    return new EvaluationMetrics(
        count, loss, Double.NaN, Math.sqrt(totals[1] / count), Math.sqrt(totals[2] / count));
  }

  /** A compiled training op: one step or an unrolled block of steps. */
  private record Step(Placeholder<TInt32> indices, Placeholder<TInt64> stepBase, Operand<TFloat32> lossSum, Operand<TFloat32> correct, Op train) {}

  TrainingGraph(TrainingSpec spec, Examples train, Examples evaluation, int stepsPerRun, int productSplits) {
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
      session = new Session(graph, SessionConfigs.of(spec.threads(), spec.device()));
      tf = Ops.create(graph);
      for (int i = 0; i < paramNames.size(); i++) {
        Shape shape = Shape.of(paramShapes.get(i));
        String name = paramNames.get(i).replace('/', '_');
        Operand<? extends TType> handle =
            tf.withName(name).varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName(name + "_" + unique));
        paramHandles.add(handle);
        paramReads.add(tf.readVariableOp(handle, TFloat32.class));
        Placeholder<TFloat32> value = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
        paramInitValues.add(value);
        initOps.add(tf.assignVariableOp(handle, value));
      }
      List<Operand<TFloat32>> squares = new ArrayList<>();
      for (int i = 0; i < paramNames.size(); i++) {
        if (!paramNames.get(i).endsWith("/bias")) {
          Operand<TFloat32> w = paramReads.get(i);
          squares.add(tf.sum(tf.math.mul(w, w), tf.constant(new int[] {0, 1})));
        }
      }
      weightNorm = tf.math.sqrt(tf.math.addN(squares));
      trainData = new Resident("train", train);
      if (evaluation != null) {
        evalData = new Resident("eval", evaluation);
      }
      buildOptimizerSlotsAndSteps(train.count());
      initialise(outputBiasStart(spec, train));
      ok = true;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  private void buildOptimizerSlotsAndSteps(int trainCount) {
    int slotCount =
        spec.optimizer() instanceof Optimizer.Momentum ? 1 : spec.optimizer() instanceof Optimizer.Adam ? 2 : 0;
    for (int i = 0; i < paramHandles.size(); i++) {
      List<Operand<? extends TType>> s = new ArrayList<>();
      Shape shape = Shape.of(paramShapes.get(i));
      for (int j = 0; j < slotCount; j++) {
        String name = paramNames.get(i).replace('/', '_') + "_slot" + j;
        Operand<? extends TType> handle =
            tf.withName(name).varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName(name + "_" + unique));
        initOps.add(tf.assignVariableOp(handle, tf.fill(tf.constant(shape), tf.constant(0f))));
        s.add(handle);
      }
      slots.add(s);
    }
    Placeholder<TInt32> idx = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Placeholder<TInt64> base = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    single = buildSteps(idx, base, 1, "single");
    int batch = spec.batchSize();
    if (stepsPerRun > 1 && (long) batch * stepsPerRun <= trainCount) {
      Placeholder<TInt32> blockIdx =
          tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(stepsPerRun, batch)));
      Placeholder<TInt64> blockBase = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
      block = buildSteps(blockIdx, blockBase, stepsPerRun, "block");
    }
  }

  /** {@code k} chained SGD steps; step j reads the parameters after step j-1's updates. */
  private Step buildSteps(Placeholder<TInt32> indices, Placeholder<TInt64> base, int k, String prefix) {
    List<Op> previous = List.of();
    List<Operand<TFloat32>> lossSums = new ArrayList<>();
    List<Operand<TFloat32>> corrects = new ArrayList<>();
    Operand<TFloat32> lr = tf.constant((float) spec.learningRate());
    for (int j = 0; j < k; j++) {
      Ops s = tf.withSubScope(prefix + j);
      Operand<TInt32> idx = k == 1 ? indices : s.gather(indices, s.constant(j), s.constant(0));
      Operand<TInt64> stepNumber = s.math.add(base, s.constant((long) j));
      Ops reader = previous.isEmpty() ? s : s.withControlDependencies(previous);
      List<Operand<TFloat32>> reads = new ArrayList<>();
      for (Operand<? extends TType> h : paramHandles) {
        reads.add(reader.readVariableOp(h, TFloat32.class));
      }
      Operand<TFloat32> x = s.resourceGather(trainData.x, idx, TFloat32.class);
      Class<? extends TType> yType = storage == Forward.LabelStorage.CLASSES ? TInt32.class : TFloat32.class;
      Operand<? extends TType> y = s.resourceGather(trainData.y, idx, yType);
      Operand<TInt64> seed =
          s.stack(List.of(s.constant(spec.seed()), s.math.mul(stepNumber, s.constant(1024L))));
      Operand<TFloat32> out = Forward.outputs(s, plan, x, reads, seed, productSplits);
      Operand<TFloat32> target = Forward.outputSpaceTarget(s, spec.loss(), spec.logTarget(), storage, y, outputCount);
      Operand<TFloat32> perExample = TfLosses.perExample(s, spec.loss(), out, target);
      Operand<TFloat32> objective = s.math.mean(perExample, s.constant(0));
      if (spec.weightDecay().lambda() > 0) {
        List<Operand<TFloat32>> penalties = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
          if (spec.weightDecay().includeBiases() || !paramNames.get(i).endsWith("/bias")) {
            penalties.add(s.nn.l2Loss(reads.get(i)));
          }
        }
        objective =
            s.math.add(objective, s.math.mul(s.constant((float) spec.weightDecay().lambda()), s.math.addN(penalties)));
      }
      var grads = s.gradients(objective, reads);
      List<Op> applies = new ArrayList<>();
      for (int i = 0; i < reads.size(); i++) {
        applies.add(apply(s, i, lr, grads.dy(i), stepNumber));
      }
      lossSums.add(s.sum(perExample, s.constant(0)));
      if (storage == Forward.LabelStorage.CLASSES) {
        @SuppressWarnings("unchecked")
        Operand<TInt32> classes = (Operand<TInt32>) y;
        corrects.add(Forward.correctCount(s, out, classes, outputCount));
      }
      previous = applies;
    }
    Op train = tf.withControlDependencies(previous).noOp();
    // Per-step sums come back as vectors and are added in Java, in step order, so the epoch
    // metrics do not depend on how many steps share a run.
    Operand<TFloat32> lossSum = tf.stack(lossSums);
    Operand<TFloat32> correct = corrects.isEmpty() ? null : tf.stack(corrects);
    return new Step(indices, base, lossSum, correct, train);
  }

  private Op apply(Ops s, int i, Operand<TFloat32> lr, Operand<TFloat32> grad, Operand<TInt64> stepNumber) {
    Operand<? extends TType> var = paramHandles.get(i);
    if (spec.optimizer() instanceof Optimizer.Momentum m) {
      return s.train.resourceApplyMomentum(
          var, slots.get(i).get(0), lr, grad, s.constant((float) m.momentum()),
          ResourceApplyMomentum.useNesterov(m.nesterov()));
    }
    if (spec.optimizer() instanceof Optimizer.Adam a) {
      Operand<TFloat32> t = s.dtypes.cast(s.math.add(stepNumber, s.constant(1L)), TFloat32.class);
      Operand<TFloat32> b1 = s.constant((float) a.beta1());
      Operand<TFloat32> b2 = s.constant((float) a.beta2());
      return s.train.resourceApplyAdam(
          var, slots.get(i).get(0), slots.get(i).get(1), s.math.pow(b1, t), s.math.pow(b2, t), lr, b1, b2,
          s.constant((float) a.epsilon()), grad);
    }
    return s.train.resourceApplyGradientDescent(var, lr, grad);
  }

  /**
   * A log-target model's output bias starts at the mean of {@code log(y)} over the training
   * examples, so training starts from the geometric mean of the targets instead of exp(0) = 1: a
   * house price is exp(12), which small Adam steps would otherwise spend most epochs reaching.
   * Warm starts and explicit per-parameter rules keep their own values.
   */
  private static float outputBiasStart(TrainingSpec spec, Examples train) {
    if (!spec.logTarget()
        || !(train.labels() instanceof Examples.Labels.Regression r)
        || spec.initializer() instanceof dev.trainerd.ml.Initializer.Load
        || spec.initializer() instanceof dev.trainerd.ml.Initializer.Mixed) {
      return Float.NaN;
    }
    double sum = 0;
    for (float y : r.values()) {
      sum += Math.log(y);
    }
    return r.values().length == 0 ? Float.NaN : (float) (sum / r.values().length);
  }

  private void initialise(float outputBias) {
    List<TFloat32> tensors = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (int i = 0; i < paramNames.size(); i++) {
        float[] values = InitialValues.draw(spec.initializer(), paramNames.get(i), paramShapes.get(i), spec.seed());
        if (i == paramNames.size() - 1 && paramNames.get(i).endsWith("/bias") && !Float.isNaN(outputBias)) {
          java.util.Arrays.fill(values, outputBias);
        }
        TFloat32 t = TFloat32.tensorOf(Shape.of(paramShapes.get(i)), DataBuffers.of(values, true, false));
        tensors.add(t);
        runner.feed(paramInitValues.get(i), t);
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

  /** Width of the output layer. */
  int outputCount() {
    return outputCount;
  }

  /** Whether an unrolled multi-step op exists (the batch fits {@code stepsPerRun} times). */
  boolean hasBlock() {
    return block != null;
  }

  int stepsPerRun() {
    return stepsPerRun;
  }

  /**
   * Runs the training steps for {@code indices[from, from + count)}: one unrolled block when
   * {@code blocked} (count must be {@code stepsPerRun * batch}), else a single step.
   *
   * @return per step in order: loss sum, correct count (NaN without class labels)
   */
  double[] run(int[] indices, int from, int count, long stepNumber, boolean blocked) {
    Step step = blocked ? block : single;
    Shape shape = blocked ? Shape.of(stepsPerRun, spec.batchSize()) : Shape.of(count);
    int[] slice = new int[count];
    System.arraycopy(indices, from, slice, 0, count);
    try (TInt32 idx = TInt32.tensorOf(shape, DataBuffers.of(slice, true, false));
        TInt64 base = TInt64.scalarOf(stepNumber)) {
      Session.Runner runner =
          session.runner().feed(step.indices(), idx).feed(step.stepBase(), base).fetch(step.lossSum()).addTarget(step.train());
      if (step.correct() != null) {
        runner.fetch(step.correct());
      }
      try (Result r = runner.run()) {
        double[] out = new double[2 * (blocked ? stepsPerRun : 1)];
        TFloat32 losses = (TFloat32) r.get(0);
        TFloat32 corrects = step.correct() != null ? (TFloat32) r.get(1) : null;
        for (int j = 0; j < out.length / 2; j++) {
          out[2 * j] = losses.getFloat(j);
          out[2 * j + 1] = corrects != null ? corrects.getFloat(j) : Double.NaN;
        }
        return out;
      }
    }
  }

  EvaluationMetrics evaluateTrain() {
    return trainData.evaluate();
  }

  EvaluationMetrics evaluateEvaluation() {
    return evalData.evaluate();
  }

  double weightNorm() {
    try (Result r = session.runner().fetch(weightNorm).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  /** Current parameter values, in layer order. */
  List<Parameter> parameters() {
    Session.Runner runner = session.runner();
    paramReads.forEach(runner::fetch);
    List<Parameter> out = new ArrayList<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < paramNames.size(); i++) {
        TFloat32 t = (TFloat32) r.get(i);
        float[] values = new float[(int) t.shape().size()];
        t.copyTo(DataBuffers.of(values, false, false));
        out.add(new Parameter(paramNames.get(i), paramShapes.get(i), values));
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
