package dev.trainerd.client;

import dev.trainerd.v1.Activation;
import dev.trainerd.v1.AdamOptimizer;
import dev.trainerd.v1.Device;
import dev.trainerd.v1.HiddenLayer;
import dev.trainerd.v1.Initializer;
import dev.trainerd.v1.KFold;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.Loss;
import dev.trainerd.v1.Mlp;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.MomentumOptimizer;
import dev.trainerd.v1.Optimizer;
import dev.trainerd.v1.PolynomialRegression;
import dev.trainerd.v1.Precision;
import dev.trainerd.v1.Preprocessing;
import dev.trainerd.v1.SgdOptimizer;
import dev.trainerd.v1.SoftmaxRegression;
import dev.trainerd.v1.Split;
import dev.trainerd.v1.TrainingJobSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link TrainingJobSpec} with the server's defaults written out and every value
 * checked before anything is sent.
 *
 * <pre>{@code
 * TrainingJobSpec spec = JobSpec.newBuilder()
 *     .dataset(train.getName())
 *     .testDataset(test.getName())
 *     .softmax()
 *     .learningRate(0.1)
 *     .epochs(10)
 *     .build();
 * }</pre>
 *
 * <p>Defaults: learning rate {@value #DEFAULT_LEARNING_RATE}, batch size
 * {@value #DEFAULT_BATCH_SIZE}, {@value #DEFAULT_EPOCHS} epochs, no weight decay, minibatch
 * SGD, the loss and initialiser the server picks for the task, no evaluation split, a seed the
 * server chooses and records, float32 products.
 */
public final class JobSpec {
  /** Learning rate unless set. */
  public static final double DEFAULT_LEARNING_RATE = 0.1;
  /** Minibatch size unless set. */
  public static final int DEFAULT_BATCH_SIZE = 256;
  /** Epochs unless set. */
  public static final int DEFAULT_EPOCHS = 10;

  private JobSpec() {}

  /** A builder with the defaults. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** Collects the spec; {@link #build()} validates it. */
  public static final class Builder {
    private final TrainingJobSpec.Builder spec =
        TrainingJobSpec.newBuilder()
            .setLearningRate(DEFAULT_LEARNING_RATE)
            .setBatchSize(DEFAULT_BATCH_SIZE)
            .setEpochs(DEFAULT_EPOCHS);
    private List<Integer> hiddenUnits;
    private Activation activation = Activation.RELU;
    private List<Double> dropouts = List.of();

    private Builder() {}

    /** The training data set (name or id). Required. */
    public Builder dataset(String nameOrId) {
      spec.setDataset(ResourceNames.dataset(nameOrId));
      return this;
    }

    /** Evaluate after each epoch on another data set (name or id). */
    public Builder testDataset(String nameOrId) {
      spec.setSplit(Split.newBuilder().setTestDataset(ResourceNames.dataset(nameOrId)));
      return this;
    }

    /** Hold out this fraction (0 &lt; f &lt; 1) of the examples for evaluation. */
    public Builder holdout(double fraction) {
      spec.setSplit(Split.newBuilder().setHoldoutFraction(fraction));
      return this;
    }

    /** K-fold cross-validation, then a final model on all examples. */
    public Builder kFold(int folds, boolean shuffle) {
      spec.setSplit(Split.newBuilder().setKFold(KFold.newBuilder().setFolds(folds).setShuffle(shuffle)));
      return this;
    }

    /** Linear regression. */
    public Builder linear() {
      hiddenUnits = null;
      spec.setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()));
      return this;
    }

    /** Softmax regression. */
    public Builder softmax() {
      hiddenUnits = null;
      spec.setModel(ModelSpec.newBuilder().setSoftmax(SoftmaxRegression.getDefaultInstance()));
      return this;
    }

    /** A multilayer perceptron with hidden layers of these sizes (see activation and dropout). */
    public Builder mlp(List<Integer> hiddenLayerUnits) {
      hiddenUnits = List.copyOf(hiddenLayerUnits);
      spec.clearModel();
      return this;
    }

    /** Polynomial regression of degree 0 to 30 on a single-feature data set. */
    public Builder polynomial(int degree, boolean factorialScaling) {
      hiddenUnits = null;
      spec.setModel(
          ModelSpec.newBuilder()
              .setPolynomial(PolynomialRegression.newBuilder().setDegree(degree).setFactorialScaling(factorialScaling)));
      return this;
    }

    /** Any model spec as it is. */
    public Builder model(ModelSpec model) {
      hiddenUnits = null;
      spec.setModel(model);
      return this;
    }

    /** The MLP's activation for every hidden layer; default RELU. */
    public Builder activation(Activation value) {
      this.activation = value;
      return this;
    }

    /** Dropout probability per hidden layer, in order (fewer values than layers: none on the rest). */
    public Builder dropout(List<Double> probabilities) {
      this.dropouts = List.copyOf(probabilities);
      return this;
    }

    /** The loss; unset: squared for regression, softmax cross-entropy for classification. */
    public Builder loss(Loss loss) {
      spec.setLoss(loss);
      return this;
    }

    /** The initialiser; unset: normal(0.01) weights, zero biases. */
    public Builder initializer(Initializer initializer) {
      spec.setInitializer(initializer);
      return this;
    }

    /** Minibatch SGD (the default). */
    public Builder sgd() {
      spec.setOptimizer(Optimizer.newBuilder().setSgd(SgdOptimizer.getDefaultInstance()));
      return this;
    }

    /** SGD with momentum (0 to &lt; 1). */
    public Builder momentum(double momentum, boolean nesterov) {
      spec.setOptimizer(
          Optimizer.newBuilder().setMomentum(MomentumOptimizer.newBuilder().setMomentum(momentum).setNesterov(nesterov)));
      return this;
    }

    /** Adam with its default betas and epsilon. */
    public Builder adam() {
      spec.setOptimizer(Optimizer.newBuilder().setAdam(AdamOptimizer.getDefaultInstance()));
      return this;
    }

    /** Any optimiser as it is. */
    public Builder optimizer(Optimizer optimizer) {
      spec.setOptimizer(optimizer);
      return this;
    }

    /** Learning rate; &gt; 0, default 0.1. */
    public Builder learningRate(double value) {
      spec.setLearningRate(value);
      return this;
    }

    /** Minibatch size; 1 or more, default 256. */
    public Builder batchSize(int value) {
      spec.setBatchSize(value);
      return this;
    }

    /** Passes over the data; 1 to 100000, default 10. */
    public Builder epochs(int value) {
      spec.setEpochs(value);
      return this;
    }

    /** L2 weight decay lambda; &gt;= 0, default 0. */
    public Builder weightDecay(double value) {
      spec.setWeightDecay(value);
      return this;
    }

    /** Decay biases too (the book decays weights only). */
    public Builder decayBiases(boolean value) {
      spec.setDecayBiases(value);
      return this;
    }

    /** Seed for initialisation, shuffling, dropout and splits. */
    public Builder seed(long value) {
      spec.setSeed(value);
      return this;
    }

    /**
     * Regression: train on log(target) and predict back in the original scale (every target must
     * be > 0); the house-price task is judged in log-RMSE.
     */
    public Builder logTarget(boolean value) {
      spec.setLogTarget(value);
      return this;
    }

    /** Where to train; default AUTO. */
    public Builder device(Device value) {
      spec.setDevice(value);
      return this;
    }

    /**
     * The training products' number format; default {@code PRECISION_FLOAT32}. {@code
     * PRECISION_MIXED_BFLOAT16} multiplies in bfloat16 with float32 weights on CPUs that support
     * it (AVX512-BF16/AMX): faster for classification, less precise for regression. Predictions
     * are float32 either way.
     */
    public Builder precision(Precision value) {
      spec.setPrecision(value);
      return this;
    }

    /**
     * Also fit the tabular preprocessing on this unlabelled data set (name or id), as the book
     * does with the Kaggle test set.
     */
    public Builder fitAlsoOn(String nameOrId) {
      spec.setPreprocessing(Preprocessing.newBuilder().setFitAlsoOnDataset(ResourceNames.dataset(nameOrId)));
      return this;
    }

    /**
     * The validated spec.
     *
     * @throws TrainerException INVALID_ARGUMENT with a violation per bad field (paths as the
     *     server names them, e.g. {@code spec.learning_rate})
     */
    public TrainingJobSpec build() {
      List<FieldViolation> violations = new ArrayList<>();
      if (hiddenUnits != null) {
        Mlp.Builder mlp = Mlp.newBuilder();
        for (int i = 0; i < hiddenUnits.size(); i++) {
          String path = "spec.model.mlp.hidden_layers[" + i + "]";
          int units = hiddenUnits.get(i);
          if (units < 1 || units > 65536) {
            violations.add(new FieldViolation(path + ".units", "must be 1 to 65536, was " + units));
          }
          double dropout = i < dropouts.size() ? dropouts.get(i) : 0;
          if (!(dropout >= 0 && dropout < 1)) {
            violations.add(new FieldViolation(path + ".dropout", "must be 0 to < 1, was " + dropout));
          }
          mlp.addHiddenLayers(HiddenLayer.newBuilder().setUnits(units).setActivation(activation).setDropout(dropout));
        }
        if (dropouts.size() > hiddenUnits.size()) {
          violations.add(
              new FieldViolation(
                  "spec.model.mlp.hidden_layers",
                  dropouts.size() + " dropout values for " + hiddenUnits.size() + " hidden layers"));
        }
        spec.setModel(ModelSpec.newBuilder().setMlp(mlp));
      }
      if (spec.getDataset().isEmpty()) {
        violations.add(new FieldViolation("spec.dataset", "is required, as datasets/{id}"));
      }
      if (!spec.hasModel() || spec.getModel().getKindCase() == ModelSpec.KindCase.KIND_NOT_SET) {
        violations.add(new FieldViolation("spec.model", "is required: set linear, softmax, mlp or polynomial"));
      } else if (spec.getModel().hasPolynomial()) {
        int degree = spec.getModel().getPolynomial().getDegree();
        if (degree < 0 || degree > 30) {
          violations.add(new FieldViolation("spec.model.polynomial.degree", "must be 0 to 30, was " + degree));
        }
      }
      double lr = spec.getLearningRate();
      if (!(lr > 0) || Double.isInfinite(lr)) {
        violations.add(new FieldViolation("spec.learning_rate", "must be > 0 and finite, was " + lr));
      }
      if (spec.getBatchSize() < 1) {
        violations.add(new FieldViolation("spec.batch_size", "must be >= 1, was " + spec.getBatchSize()));
      }
      if (spec.getEpochs() < 1 || spec.getEpochs() > 100_000) {
        violations.add(new FieldViolation("spec.epochs", "must be 1 to 100000, was " + spec.getEpochs()));
      }
      double wd = spec.getWeightDecay();
      if (!(wd >= 0) || Double.isInfinite(wd)) {
        violations.add(new FieldViolation("spec.weight_decay", "must be >= 0 and finite, was " + wd));
      }
      if (spec.hasSplit()) {
        Split split = spec.getSplit();
        if (split.hasHoldoutFraction()) {
          double f = split.getHoldoutFraction();
          if (!(f > 0 && f < 1)) {
            violations.add(new FieldViolation("spec.split.holdout_fraction", "must be between 0 and 1 (exclusive), was " + f));
          }
        } else if (split.hasKFold()) {
          int k = split.getKFold().getFolds();
          if (k < 2 || k > 100) {
            violations.add(new FieldViolation("spec.split.k_fold.folds", "must be 2 to 100, was " + k));
          }
        }
      }
      if (spec.hasOptimizer() && spec.getOptimizer().hasMomentum()) {
        double m = spec.getOptimizer().getMomentum().getMomentum();
        if (!(m >= 0 && m < 1)) {
          violations.add(new FieldViolation("spec.optimizer.momentum.momentum", "must be 0 to < 1, was " + m));
        }
      }
      if (!violations.isEmpty()) {
        throw TrainerException.invalid(violations);
      }
      return spec.build();
    }
  }
}
