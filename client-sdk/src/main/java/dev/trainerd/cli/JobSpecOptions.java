package dev.trainerd.cli;

import dev.trainerd.client.JobSpec;
import dev.trainerd.v1.Activation;
import dev.trainerd.v1.Device;
import dev.trainerd.v1.Precision;
import dev.trainerd.v1.TrainingJobSpec;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The job-spec flags shared by {@code jobs create} and {@code sweeps create} (the sweep's base spec). */
final class JobSpecOptions {
  @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "Training data set (datasets/ID or ID).")
  String dataset;

  @Option(names = "--test-dataset", paramLabel = "NAME", description = "Evaluate on this data set after each epoch.")
  String testDataset;

  @Option(names = "--holdout", paramLabel = "F", description = "Hold out this fraction (0 < F < 1) for evaluation.")
  Double holdout;

  @Option(names = "--folds", paramLabel = "K", description = "K-fold cross-validation, then a final model on all examples.")
  Integer folds;

  @Option(names = "--shuffle-folds", description = "Shuffle before cutting folds (default: contiguous slices, as the book).")
  boolean shuffleFolds;

  @Option(names = "--model", required = true, description = "linear, softmax, mlp or polynomial.")
  String model;

  @Option(names = "--hidden", split = ",", paramLabel = "UNITS", description = "MLP hidden layer sizes, e.g. 256,256.")
  List<Integer> hidden;

  @Option(names = "--activation", defaultValue = "relu", description = "MLP activation: relu, sigmoid, tanh or identity; default ${DEFAULT-VALUE}.")
  String activation;

  @Option(names = "--dropout", split = ",", paramLabel = "P", description = "Dropout per hidden layer, e.g. 0.2,0.5.")
  List<Double> dropout;

  @Option(names = "--degree", description = "Polynomial degree (0 to 30).")
  Integer degree;

  @Option(names = "--factorial-scaling", description = "Polynomial features x^i / i!, as the book.")
  boolean factorialScaling;

  @Option(names = "--loss", paramLabel = "L", description = "Loss: " + SpecParsers.LOSSES + ". Default: by task.")
  String loss;

  @Option(names = "--init", paramLabel = "I", description = "Initialiser: " + SpecParsers.INITIALIZERS + ". Default normal:0.01.")
  String init;

  @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd, momentum or adam; default ${DEFAULT-VALUE}.")
  String optimizer;

  @Option(names = "--momentum", description = "Momentum coefficient with --optimizer momentum; default 0.9.")
  Double momentum;

  @Option(names = "--lr", paramLabel = "X", description = "Learning rate; default 0.1.")
  Double learningRate;

  @Option(names = "--batch-size", paramLabel = "N", description = "Minibatch size; default 256.")
  Integer batchSize;

  @Option(names = "--epochs", paramLabel = "N", description = "Epochs; default 10.")
  Integer epochs;

  @Option(names = "--weight-decay", paramLabel = "X", description = "L2 weight decay lambda; default 0.")
  Double weightDecay;

  @Option(names = "--decay-biases", description = "Apply weight decay to biases too.")
  boolean decayBiases;

  @Option(names = "--seed", paramLabel = "N", description = "Seed; default chosen by the server and recorded on the model.")
  Long seed;

  @Option(names = "--device", description = "auto, cpu or gpu; default auto.")
  Device device;

  @Option(
      names = "--precision",
      paramLabel = "P",
      description = "float32 or mixed-bfloat16 (bfloat16 products, float32 weights, on CPUs with AVX512-BF16/AMX; for classification); default float32.")
  String precision;

  @Option(names = "--fit-also-on", paramLabel = "NAME", description = "Also fit tabular preprocessing on this unlabelled data set (e.g. the Kaggle test set).")
  String fitAlsoOn;

  @Option(names = "--log-target", description = "Regression: train on log(target), predict back in the original scale (targets > 0).")
  boolean logTarget;

  /** The spec the flags describe; bad combinations are usage errors of {@code command}. */
  TrainingJobSpec toSpec(CommandSpec command) {
    int splits = (testDataset != null ? 1 : 0) + (holdout != null ? 1 : 0) + (folds != null ? 1 : 0);
    if (splits > 1) {
      throw new CommandLine.ParameterException(command.commandLine(), "give at most one of --test-dataset, --holdout and --folds");
    }
    try {
      return build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(command.commandLine(), e.getMessage(), e);
    }
  }

  private TrainingJobSpec build() {
    JobSpec.Builder b = JobSpec.newBuilder().dataset(dataset);
    if (testDataset != null) {
      b.testDataset(testDataset);
    } else if (holdout != null) {
      b.holdout(holdout);
    } else if (folds != null) {
      b.kFold(folds, shuffleFolds);
    }
    switch (model) {
      case "linear" -> b.linear();
      case "softmax" -> b.softmax();
      case "mlp" -> {
        if (hidden == null || hidden.isEmpty()) {
          throw new IllegalArgumentException("--model mlp needs --hidden, e.g. --hidden 256");
        }
        b.mlp(hidden).activation(activation(activation)).dropout(dropout == null ? List.of() : dropout);
      }
      case "polynomial" -> {
        if (degree == null) {
          throw new IllegalArgumentException("--model polynomial needs --degree");
        }
        b.polynomial(degree, factorialScaling);
      }
      default -> throw new IllegalArgumentException("--model must be linear, softmax, mlp or polynomial, was '" + model + "'");
    }
    if (!"mlp".equals(model) && (hidden != null || dropout != null)) {
      throw new IllegalArgumentException("--hidden and --dropout apply to --model mlp only");
    }
    if (loss != null) {
      b.loss(SpecParsers.loss(loss));
    }
    if (init != null) {
      b.initializer(SpecParsers.initializer(init));
    }
    switch (optimizer) {
      case "sgd" -> b.sgd();
      case "momentum" -> b.momentum(momentum == null ? 0 : momentum, false);
      case "adam" -> b.adam();
      default -> throw new IllegalArgumentException("--optimizer must be sgd, momentum or adam, was '" + optimizer + "'");
    }
    if (momentum != null && !"momentum".equals(optimizer)) {
      throw new IllegalArgumentException("--momentum needs --optimizer momentum");
    }
    if (learningRate != null) {
      b.learningRate(learningRate);
    }
    if (batchSize != null) {
      b.batchSize(batchSize);
    }
    if (epochs != null) {
      b.epochs(epochs);
    }
    if (weightDecay != null) {
      b.weightDecay(weightDecay);
    }
    b.decayBiases(decayBiases);
    if (seed != null) {
      b.seed(seed);
    }
    if (device != null) {
      b.device(device);
    }
    if (precision != null) {
      b.precision(precision(precision));
    }
    if (fitAlsoOn != null) {
      b.fitAlsoOn(fitAlsoOn);
    }
    b.logTarget(logTarget);
    return b.build();
  }

  private static Precision precision(String name) {
    return switch (name.toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
      case "float32" -> Precision.PRECISION_FLOAT32;
      case "mixed-bfloat16" -> Precision.PRECISION_MIXED_BFLOAT16;
      default -> throw new IllegalArgumentException("--precision must be float32 or mixed-bfloat16, was '" + name + "'");
    };
  }

  private static Activation activation(String name) {
    return switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "relu" -> Activation.RELU;
      case "sigmoid" -> Activation.SIGMOID;
      case "tanh" -> Activation.TANH;
      case "identity" -> Activation.IDENTITY;
      default -> throw new IllegalArgumentException("--activation must be relu, sigmoid, tanh or identity, was '" + name + "'");
    };
  }
}
