package dev.trainerd.ml;

import dev.trainerd.errors.FieldViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything that decides how a model is trained. {@link #defaults()} gives the book's softmax
 * regression setup: softmax cross-entropy, normal(0.01) weights, SGD, learning rate 0.1, batch
 * 256, 10 epochs, no weight decay, seed 0, TensorFlow's thread defaults, device AUTO, float32
 * products, targets as they are (no log transform).
 *
 * @param model the architecture
 * @param loss the objective
 * @param initializer how weights start (biases start at zero unless mixed/load say otherwise)
 * @param optimizer the update rule
 * @param learningRate step size, > 0
 * @param batchSize examples per minibatch, >= 1; the last, smaller batch is averaged by its size
 * @param epochs passes over the training set, >= 1
 * @param weightDecay L2 penalty
 * @param seed seeds initialisation, shuffling and dropout; same seed and data, same metrics
 * @param threads session thread counts
 * @param device where to run
 * @param precision the training products' number format ({@link Precision#FLOAT32} unless a job
 *     opts into {@link Precision#MIXED_BFLOAT16})
 * @param logTarget train on {@code log(y)} of real-valued targets and predict {@code exp} of the
 *     output, so predictions and metrics stay in the original scale; needs targets > 0 (the
 *     house-price task is judged in log-RMSE, which this optimises directly)
 */
public record TrainingSpec(
    ModelSpec model,
    Loss loss,
    Initializer initializer,
    Optimizer optimizer,
    double learningRate,
    int batchSize,
    int epochs,
    WeightDecay weightDecay,
    long seed,
    Threads threads,
    Device device,
    Precision precision,
    boolean logTarget) {

  /** Upper bound on epochs, to keep a mistyped request from occupying a worker for days. */
  public static final int MAX_EPOCHS = 100_000;

  public TrainingSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(loss, "loss");
    Objects.requireNonNull(initializer, "initializer");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(weightDecay, "weightDecay");
    Objects.requireNonNull(threads, "threads");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(precision, "precision");
  }

  /** The documented defaults (see the type's Javadoc). */
  public static TrainingSpec defaults() {
    return new TrainingSpec(
        new ModelSpec.SoftmaxRegression(),
        new Loss.SoftmaxCrossEntropy(true),
        new Initializer.Normal(0.01),
        new Optimizer.Sgd(),
        0.1,
        256,
        10,
        WeightDecay.none(),
        0,
        Threads.defaults(),
        Device.AUTO,
        Precision.FLOAT32,
        false);
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /** A builder starting from this spec. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Violations of the spec on its own, with field paths under {@code spec.} in the API's snake_case
   * naming (e.g. {@code spec.model.mlp.hidden_layers[1].dropout}). Empty when valid.
   */
  public List<FieldViolation> validate() {
    List<FieldViolation> out = new ArrayList<>();
    model.validate().forEach(v -> out.add(v.under("spec.model")));
    loss.validate().forEach(v -> out.add(v.under("spec.loss")));
    initializer.validate().forEach(v -> out.add(v.under("spec.initializer")));
    optimizer.validate().forEach(v -> out.add(v.under("spec.optimizer")));
    if (!(learningRate > 0 && Double.isFinite(learningRate))) {
      out.add(new FieldViolation("spec.learning_rate", "must be > 0, was " + learningRate));
    }
    if (batchSize < 1) {
      out.add(new FieldViolation("spec.batch_size", "must be >= 1, was " + batchSize));
    }
    if (epochs < 1 || epochs > MAX_EPOCHS) {
      out.add(new FieldViolation("spec.epochs", "must be in [1, " + MAX_EPOCHS + "], was " + epochs));
    }
    if (!(weightDecay.lambda() >= 0 && Double.isFinite(weightDecay.lambda()))) {
      out.add(new FieldViolation("spec.weight_decay", "must be >= 0, was " + weightDecay.lambda()));
    }
    if (threads.intraOp() < 0 || threads.intraOp() > 1024) {
      out.add(new FieldViolation("spec.intra_op_threads", "must be in [0, 1024], was " + threads.intraOp()));
    }
    if (threads.interOp() < 0 || threads.interOp() > 1024) {
      out.add(new FieldViolation("spec.inter_op_threads", "must be in [0, 1024], was " + threads.interOp()));
    }
    out.addAll(modelLossViolations());
    if (logTarget && loss.labelKind() != Loss.LabelKind.REGRESSION) {
      out.add(
          new FieldViolation(
              "spec.log_target", "applies to regression losses (squared, absolute, huber), not " + loss.kind()));
    }
    return out;
  }

  private List<FieldViolation> modelLossViolations() {
    Loss.LabelKind kind = loss.labelKind();
    if (model instanceof ModelSpec.SoftmaxRegression && kind != Loss.LabelKind.MULTI_CLASS) {
      return List.of(
          new FieldViolation(
              "spec.loss",
              "softmax_regression needs a multi-class loss (softmax_cross_entropy, kl_divergence,"
                  + " cosine_embedding), not " + loss.kind()));
    }
    if ((model instanceof ModelSpec.LinearRegression || model instanceof ModelSpec.Polynomial)
        && kind == Loss.LabelKind.MULTI_CLASS) {
      return List.of(
          new FieldViolation(
              "spec.loss",
              model.kind() + " has a single output; use softmax_regression or mlp for " + loss.kind()));
    }
    return List.of();
  }

  /**
   * Violations of using this spec on a data set with {@code featureCount} features and labels
   * like {@code labels} (the loss/label compatibility check). Paths under {@code spec.} for the
   * spec's side; {@code dataset} for the data's side.
   */
  public List<FieldViolation> validateFor(int featureCount, Examples.Labels labels) {
    List<FieldViolation> out = new ArrayList<>();
    if (model instanceof ModelSpec.Polynomial && featureCount != 1) {
      out.add(
          new FieldViolation(
              "spec.model.polynomial",
              "expands a single scalar feature, but the data set has " + featureCount + " features"));
    }
    if (labels instanceof Examples.Labels.None) {
      out.add(new FieldViolation("dataset", "has no labels; training needs labelled examples"));
    } else if (labels instanceof Examples.Labels.Regression r) {
      if (logTarget) {
        float[] y = r.values();
        for (int i = 0; i < y.length; i++) {
          if (!(y[i] > 0)) {
            out.add(
                new FieldViolation(
                    "spec.log_target", "needs targets > 0, but example " + i + " has target " + y[i]));
            break;
          }
        }
      }
      if (loss.labelKind() == Loss.LabelKind.MULTI_CLASS) {
        out.add(
            new FieldViolation(
                "spec.loss", loss.kind() + " needs class labels; the data set has real-valued targets"));
      }
    } else if (labels instanceof Examples.Labels.Classes c) {
      if (logTarget) {
        out.add(new FieldViolation("spec.log_target", "needs real-valued targets; the data set has class labels"));
      }
      if (loss.labelKind() == Loss.LabelKind.REGRESSION) {
        out.add(
            new FieldViolation(
                "spec.loss", loss.kind() + " needs real-valued targets; the data set has class labels"));
      } else if (loss.labelKind() == Loss.LabelKind.BINARY && c.classCount() != 2) {
        out.add(
            new FieldViolation(
                "spec.loss", loss.kind() + " needs two classes; the data set has " + c.classCount()));
      }
    }
    return out;
  }

  /** Width of the output layer for data labelled like {@code labels}. */
  public int outputCount(Examples.Labels labels) {
    return outputCount(labels instanceof Examples.Labels.Classes c ? c.classCount() : 0);
  }

  /**
   * Width of the output layer for data with {@code classCount} classes (0 for data without class
   * labels): one output per class for a multi-class loss, else one.
   */
  public int outputCount(int classCount) {
    return loss.labelKind() == Loss.LabelKind.MULTI_CLASS && classCount > 0 ? classCount : 1;
  }

  /** Mutable builder for {@link TrainingSpec}. */
  public static final class Builder {
    private ModelSpec model;
    private Loss loss;
    private Initializer initializer;
    private Optimizer optimizer;
    private double learningRate;
    private int batchSize;
    private int epochs;
    private WeightDecay weightDecay;
    private long seed;
    private Threads threads;
    private Device device;
    private Precision precision;
    private boolean logTarget;

    private Builder(TrainingSpec from) {
      model = from.model;
      loss = from.loss;
      initializer = from.initializer;
      optimizer = from.optimizer;
      learningRate = from.learningRate;
      batchSize = from.batchSize;
      epochs = from.epochs;
      weightDecay = from.weightDecay;
      seed = from.seed;
      threads = from.threads;
      device = from.device;
      precision = from.precision;
      logTarget = from.logTarget;
    }

    public Builder model(ModelSpec v) {
      model = v;
      return this;
    }

    public Builder loss(Loss v) {
      loss = v;
      return this;
    }

    public Builder initializer(Initializer v) {
      initializer = v;
      return this;
    }

    public Builder optimizer(Optimizer v) {
      optimizer = v;
      return this;
    }

    public Builder learningRate(double v) {
      learningRate = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    public Builder weightDecay(WeightDecay v) {
      weightDecay = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder threads(Threads v) {
      threads = v;
      return this;
    }

    public Builder device(Device v) {
      device = v;
      return this;
    }

    public Builder precision(Precision v) {
      precision = v;
      return this;
    }

    public Builder logTarget(boolean v) {
      logTarget = v;
      return this;
    }

    public TrainingSpec build() {
      return new TrainingSpec(
          model, loss, initializer, optimizer, learningRate, batchSize, epochs, weightDecay, seed,
          threads, device, precision, logTarget);
    }
  }
}
