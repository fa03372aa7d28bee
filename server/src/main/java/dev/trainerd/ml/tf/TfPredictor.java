package dev.trainerd.ml.tf;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.EvaluationMetrics;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Parameter;
import dev.trainerd.ml.Precision;
import dev.trainerd.ml.Predictor;
import dev.trainerd.ml.TrainedModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * Forward-only graph of a trained model: parameters as constants (small next to data sets), no
 * training ops. Serves prediction, evaluation and SavedModel export.
 */
final class TfPredictor implements Predictor {

  private final TrainedModel model;
  private final Graph graph;
  private final Session session;
  private final Ops tf;
  private final Placeholder<TFloat32> features;
  private final Operand<TFloat32> outputs;
  private final Operand<TFloat32> predictions;
  private final LayerPlan plan;
  private final List<Operand<TFloat32>> params = new ArrayList<>();
  private Placeholder<? extends TType> evalLabels;
  /** The evaluation's sums over float features, built on first use. */
  private List<Operand<TFloat32>> evalSums;
  /** The same over byte features ({@link Examples.Values.UnsignedBytes}), built on first use. */
  private ByteEvaluation byteEvaluation;

  /**
   * Evaluation fed the examples' bytes and their divisor, divided in the graph as training does
   * ({@code TrainingGraph.Resident}): no float copy of the data in the heap, and a quarter of it
   * crosses from Java (10,000 Fashion-MNIST images: no 31 MB float array, and 7.8 MB rather than
   * 31 MB copied to TensorFlow).
   */
  private record ByteEvaluation(Placeholder<TUint8> bytes, Placeholder<TFloat32> divisor, List<Operand<TFloat32>> sums) {}

  TfPredictor(TrainedModel model) {
    this.model = model;
    this.plan = LayerPlan.of(model.spec().model(), model.featureCount(), model.outputCount());
    graph = new Graph();
    try {
      tf = Ops.create(graph);
      features =
          tf.withName("features")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, model.featureCount())));
      for (Parameter p : model.parameters()) {
        params.add(tf.constant(Shape.of(p.shape()), DataBuffers.of(p.values(), true, false)));
      }
      outputs = Forward.outputs(tf, plan, features, params, null);
      predictions =
          tf.withName("outputs")
              .identity(
                  Forward.originalScale(
                      tf,
                      model.spec().logTarget(),
                      Forward.predictions(tf, model.spec().loss(), model.classLabels(), outputs)));
      // Inference stays float32 whatever the model trained with, so predictions are exact.
      session =
          new Session(graph, SessionConfigs.of(model.spec().threads(), model.spec().device(), Precision.FLOAT32));
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  @Override
  public int outputCount() {
    return model.outputCount();
  }

  @Override
  public float[] predict(float[] values, int count) {
    if ((long) count * model.featureCount() != values.length) {
      throw TrainerdException.InvalidArgument.of(
          "features",
          "has " + values.length + " values, expected " + count + " rows x " + model.featureCount()
              + " features");
    }
    if (count == 0) {
      return new float[0];
    }
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(count, model.featureCount()), DataBuffers.of(values, true, false));
        Result r = session.runner().feed(features, x).fetch(predictions).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.shape().size()];
      t.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  @Override
  public EvaluationMetrics evaluate(Examples examples) {
    if (examples.featureCount() != model.featureCount()) {
      throw TrainerdException.InvalidArgument.of(
          "dataset", "has " + examples.featureCount() + " features, the model takes " + model.featureCount());
    }
    boolean classes = examples.labels() instanceof Examples.Labels.Classes;
    if (examples.labels() instanceof Examples.Labels.None || classes != model.classLabels()) {
      throw TrainerdException.InvalidArgument.of(
          "dataset",
          model.classLabels()
              ? "needs class labels to evaluate this classifier"
              : "needs real-valued targets to evaluate this regression model");
    }
    if (examples.count() == 0) {
      throw TrainerdException.InvalidArgument.of("dataset", "has no examples");
    }
    if (evalLabels == null) {
      evalLabels =
          classes
              ? tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)))
              : tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
    }
    int n = examples.count();
    Shape xShape = Shape.of(n, model.featureCount());
    List<TType> fed = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      List<Operand<TFloat32>> sums;
      if (examples.values() instanceof Examples.Values.UnsignedBytes bytes) {
        if (byteEvaluation == null) {
          Placeholder<TUint8> raw = tf.placeholder(TUint8.class, Placeholder.shape(Shape.of(-1, model.featureCount())));
          Placeholder<TFloat32> divisor = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
          Operand<TFloat32> x = Forward.bytesAsFloats(tf, raw, divisor);
          byteEvaluation =
              new ByteEvaluation(raw, divisor, evaluationSums(Forward.outputs(tf, plan, x, params, null), classes));
        }
        runner
            .feed(
                byteEvaluation.bytes(),
                TrainingGraph.closedLater(fed, TUint8.tensorOf(xShape, DataBuffers.of(bytes.values(), true, false))))
            .feed(byteEvaluation.divisor(), TrainingGraph.closedLater(fed, TFloat32.scalarOf(bytes.divisor())));
        sums = byteEvaluation.sums();
      } else {
        if (evalSums == null) {
          evalSums = evaluationSums(outputs, classes);
        }
        runner.feed(
            features,
            TrainingGraph.closedLater(fed, TFloat32.tensorOf(xShape, DataBuffers.of(examples.features(), true, false))));
        sums = evalSums;
      }
      runner.feed(evalLabels, TrainingGraph.closedLater(fed, labelTensor(examples.labels(), n)));
      sums.forEach(runner::fetch);
      try (Result r = runner.run()) {
        double loss = ((TFloat32) r.get(0)).getFloat() / n;
        if (classes) {
          return new EvaluationMetrics(n, loss, ((TFloat32) r.get(1)).getFloat() / n, Double.NaN, Double.NaN);
        }
        return new EvaluationMetrics(
            n, loss, Double.NaN,
            Math.sqrt(((TFloat32) r.get(1)).getFloat() / n),
            Math.sqrt(((TFloat32) r.get(2)).getFloat() / n));
      }
    } finally {
      fed.forEach(TType::close);
    }
  }

  /** The labels as the evaluation's placeholder takes them: class indices, or a column of targets. */
  private static TType labelTensor(Examples.Labels labels, int n) {
    if (labels instanceof Examples.Labels.Classes c) {
      return TInt32.tensorOf(Shape.of(n), DataBuffers.of(c.values(), true, false));
    }
    return TFloat32.tensorOf(Shape.of(n, 1), DataBuffers.of(((Examples.Labels.Regression) labels).values(), true, false));
  }

  /** The loss sum, then the correct count (classes) or the regression's squared-error sums. */
  private List<Operand<TFloat32>> evaluationSums(Operand<TFloat32> outputs, boolean classes) {
    Forward.LabelStorage storage = classes ? Forward.LabelStorage.CLASSES : Forward.LabelStorage.REGRESSION;
    Operand<TFloat32> target =
        Forward.outputSpaceTarget(tf, model.spec().loss(), model.spec().logTarget(), storage, evalLabels, model.outputCount());
    List<Operand<TFloat32>> sums = new ArrayList<>();
    sums.add(tf.sum(TfLosses.perExample(tf, model.spec().loss(), outputs, target), tf.constant(0)));
    if (classes) {
      @SuppressWarnings("unchecked")
      Operand<TInt32> c = (Operand<TInt32>) evalLabels;
      sums.add(Forward.correctCount(tf, outputs, c, model.outputCount()));
    } else {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> v = (Operand<TFloat32>) evalLabels;
      sums.addAll(Forward.regressionSums(tf, Forward.originalScale(tf, model.spec().logTarget(), outputs), v));
    }
    return sums;
  }

  /** Writes the forward graph as a SavedModel (see {@link dev.trainerd.ml.Trainer#exportSavedModel}). */
  static void export(TrainedModel model, Path directory) {
    try {
      if (Files.exists(directory)) {
        try (Stream<Path> entries = Files.list(directory)) {
          if (entries.findAny().isPresent()) {
            throw TrainerdException.InvalidArgument.of("directory", directory + " is not empty");
          }
        }
      }
      try (TfPredictor p = new TfPredictor(model)) {
        Signature signature =
            Signature.builder()
                .key(Signature.DEFAULT_KEY)
                .input("features", p.features)
                .output("outputs", p.predictions)
                .build();
        SavedModelBundle.exporter(directory.toString())
            .withFunction(SessionFunction.create(signature, p.session))
            .export();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write SavedModel to " + directory, e);
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
