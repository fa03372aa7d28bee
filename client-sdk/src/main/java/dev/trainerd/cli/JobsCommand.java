package dev.trainerd.cli;

import dev.trainerd.client.JobSpec;
import dev.trainerd.client.JobWatch;
import dev.trainerd.client.TrainingJobs;
import dev.trainerd.v1.Activation;
import dev.trainerd.v1.Device;
import dev.trainerd.v1.EpochMetrics;
import dev.trainerd.v1.ListTrainingJobsResponse;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingJobSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code trainerctl jobs ...}: create, list, get, watch, cancel, plot. */
@Command(
    name = "jobs",
    mixinStandardHelpOptions = true,
    description = "Create, list, show, watch, cancel and plot training jobs.",
    subcommands = JobsCommand.Create.class)
final class JobsCommand implements Callable<Integer> {
  @ParentCommand Trainerctl root;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand: create, list, get, watch, cancel or plot");
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List jobs, newest first.")
  int list(
      @Option(names = "--state", split = ",", paramLabel = "STATE", description = "Only jobs in these states (QUEUED, RUNNING, SUCCEEDED, ...).")
          List<TrainingJob.State> states,
      @Option(names = "--page-size", defaultValue = "0", hidden = true) int pageSize) {
    List<TrainingJob> all = root.client().jobs().list(pageSize, states == null ? List.of() : states).toList();
    Printer printer = root.printer();
    if (printer.format() == OutputFormat.json) {
      printer.printJson(ListTrainingJobsResponse.newBuilder().addAllTrainingJobs(all));
    } else {
      printer.jobs(all);
    }
    return Trainerctl.EXIT_OK;
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a job.")
  int get(@Parameters(paramLabel = "ID", description = "trainingJobs/ID or ID.") String id) {
    root.printer().job(root.client().jobs().get(id));
    return Trainerctl.EXIT_OK;
  }

  @Command(
      name = "watch",
      mixinStandardHelpOptions = true,
      description = {
        "Follow a job until it ends: its history, then live epochs.",
        "With --output json: one compact JSON document per event (JSON Lines).",
        "Exits 3 when the job does not succeed."
      })
  int watch(@Parameters(paramLabel = "ID", description = "trainingJobs/ID or ID.") String id) {
    if (root.output == OutputFormat.json) {
      TrainingJob last = null;
      try (JobWatch events = root.client().jobs().watch(id)) {
        while (events.hasNext()) {
          TrainingJobEvent event = events.next();
          root.out().println(Printer.compactJson(event));
          root.out().flush();
          if (event.hasStateChange() && TrainingJobs.isTerminal(event.getStateChange().getState())) {
            last = event.getStateChange().getJob();
          }
        }
      }
      return exitFor(last == null ? root.client().jobs().get(id) : last, false);
    }
    return follow(root.client().jobs().get(id));
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Ask a job to stop.")
  int cancel(@Parameters(paramLabel = "ID", description = "trainingJobs/ID or ID.") String id) {
    root.printer().job(root.client().jobs().cancel(id));
    return Trainerctl.EXIT_OK;
  }

  @Command(
      name = "plot",
      mixinStandardHelpOptions = true,
      description = "Draw train/test loss and accuracy (log RMSE for regression) per epoch into a PNG; waits for a running job.")
  int plot(
      @Parameters(paramLabel = "ID", description = "trainingJobs/ID or ID.") String id,
      @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "The PNG to write.") Path png,
      @Option(names = "--width", defaultValue = "800", description = "Pixels; default ${DEFAULT-VALUE}.") int width,
      @Option(names = "--height", defaultValue = "600", description = "Pixels; default ${DEFAULT-VALUE}.") int height)
      throws IOException {
    List<EpochMetrics> epochs = new ArrayList<>();
    String title = id;
    try (JobWatch events = root.client().jobs().watch(id)) {
      while (events.hasNext()) {
        TrainingJobEvent event = events.next();
        if (event.hasEpoch()) {
          epochs.add(event.getEpoch());
        } else if (event.hasStateChange()) {
          TrainingJob job = event.getStateChange().getJob();
          title = job.getDisplayName().isEmpty() ? job.getName() : job.getDisplayName() + " (" + job.getName() + ")";
        }
      }
    }
    TrainingCurves.writePng(title, epochs, png, width, height);
    if (root.output == OutputFormat.json) {
      root.out().println("{\"file\": \"" + png.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\", \"epochs\": " + epochs.size() + "}");
    } else {
      root.out().println("wrote " + png + " (" + epochs.stream().filter(e -> e.getFold() == 0).count() + " epochs)");
    }
    root.out().flush();
    return Trainerctl.EXIT_OK;
  }

  /** Shows progress until the job ends, prints it and returns its exit code. */
  int follow(TrainingJob job) {
    Progress progress = root.progress();
    int total = job.getEpochsTotal() > 0 ? job.getEpochsTotal() : job.getSpec().getEpochs();
    int[] seen = {0};
    TrainingJob last = null;
    try (JobWatch events = root.client().jobs().watch(job.getName())) {
      while (events.hasNext()) {
        TrainingJobEvent event = events.next();
        if (event.hasStateChange() && event.getStateChange().getJob().getEpochsTotal() > 0) {
          total = event.getStateChange().getJob().getEpochsTotal();
        }
        progress.event(event, total, seen);
        if (event.hasStateChange() && TrainingJobs.isTerminal(event.getStateChange().getState())) {
          last = event.getStateChange().getJob();
        }
      }
    } finally {
      progress.done();
    }
    return exitFor(last == null ? root.client().jobs().get(job.getName()) : last, true);
  }

  private int exitFor(TrainingJob job, boolean print) {
    if (print) {
      root.printer().job(job);
    }
    if (job.getState() == TrainingJob.State.SUCCEEDED) {
      return Trainerctl.EXIT_OK;
    }
    String why = job.hasError() && !job.getError().getMessage().isEmpty() ? ": " + job.getError().getMessage() : "";
    root.err().println("trainerctl: " + job.getName() + " ended " + job.getState().name() + why);
    root.err().flush();
    return Trainerctl.EXIT_JOB_NOT_SUCCEEDED;
  }

  /** {@code jobs create}. */
  @Command(name = "create", mixinStandardHelpOptions = true, description = "Queue a training job; --wait follows it to the end.")
  static final class Create implements Callable<Integer> {
    @ParentCommand JobsCommand jobs;

    @Spec CommandSpec spec;

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

    @Option(names = "--fit-also-on", paramLabel = "NAME", description = "Also fit tabular preprocessing on this unlabelled data set (e.g. the Kaggle test set).")
    String fitAlsoOn;

    @Option(names = "--name", description = "Display name of the job.")
    String name;

    @Option(names = "--request-id", paramLabel = "KEY", description = "Idempotency key: repeating the command returns the same job.")
    String requestId;

    @Option(names = "--wait", description = "Follow the job to its end; exits 3 unless it succeeds.")
    boolean await;

    @Override
    public Integer call() {
      int splits = (testDataset != null ? 1 : 0) + (holdout != null ? 1 : 0) + (folds != null ? 1 : 0);
      if (splits > 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "give at most one of --test-dataset, --holdout and --folds");
      }
      TrainingJobSpec jobSpec;
      try {
        jobSpec = spec();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
      }
      Trainerctl root = jobs.root;
      TrainingJob job = root.client().jobs().create(name, jobSpec, requestId);
      if (!await) {
        root.printer().job(job);
        return Trainerctl.EXIT_OK;
      }
      return jobs.follow(job);
    }

    private TrainingJobSpec spec() {
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
      if (fitAlsoOn != null) {
        b.fitAlsoOn(fitAlsoOn);
      }
      return b.build();
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
}
