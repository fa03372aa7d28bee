package dev.trainerd.cli;

import dev.trainerd.client.JobWatch;
import dev.trainerd.client.Sweeps;
import dev.trainerd.v1.EarlyStopping;
import dev.trainerd.v1.EpochMetrics;
import dev.trainerd.v1.EvaluationMetrics;
import dev.trainerd.v1.ListSweepsResponse;
import dev.trainerd.v1.Objective;
import dev.trainerd.v1.Range;
import dev.trainerd.v1.Sweep;
import dev.trainerd.v1.SweepEvent;
import dev.trainerd.v1.SweepParameter;
import dev.trainerd.v1.Trial;
import dev.trainerd.v1.TrainingJobEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code trainerctl sweeps ...}: create, list, get, watch, cancel, plot. */
@Command(
    name = "sweeps",
    mixinStandardHelpOptions = true,
    description = "Create, list, show, watch, cancel and plot hyperparameter sweeps.",
    subcommands = SweepsCommand.Create.class)
final class SweepsCommand implements Callable<Integer> {
  @ParentCommand Trainerctl root;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand: create, list, get, watch, cancel or plot");
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List sweeps, newest first.")
  int list(@Option(names = "--page-size", defaultValue = "0", hidden = true) int pageSize) {
    List<Sweep> all = root.client().sweeps().list(pageSize).toList();
    if (root.output == OutputFormat.json) {
      root.printer().printJson(ListSweepsResponse.newBuilder().addAllSweeps(all));
    } else {
      root.printer().sweeps(all);
    }
    return Trainerctl.EXIT_OK;
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a sweep and its trials (ranked once it ended).")
  int get(@Parameters(paramLabel = "ID", description = "sweeps/ID or ID.") String id) {
    root.printer().sweep(root.client().sweeps().get(id));
    return Trainerctl.EXIT_OK;
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel every pending and running trial.")
  int cancel(@Parameters(paramLabel = "ID", description = "sweeps/ID or ID.") String id) {
    root.printer().sweep(root.client().sweeps().cancel(id));
    return Trainerctl.EXIT_OK;
  }

  @Command(
      name = "watch",
      mixinStandardHelpOptions = true,
      description = {
        "Follow a sweep until it ends: each trial's start and result, then the ranking.",
        "With --output json: one compact JSON document per event (JSON Lines).",
        "Exits 3 when the sweep does not succeed."
      })
  int watch(@Parameters(paramLabel = "ID", description = "sweeps/ID or ID.") String id) {
    return follow(id);
  }

  @Command(
      name = "plot",
      mixinStandardHelpOptions = true,
      description = "Compare the trials' curves (train loss, evaluation objective) in one PNG; waits for running trials.")
  int plot(
      @Parameters(paramLabel = "ID", description = "sweeps/ID or ID.") String id,
      @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "The PNG to write.") Path png,
      @Option(names = "--width", defaultValue = "900", description = "Pixels; default ${DEFAULT-VALUE}.") int width,
      @Option(names = "--height", defaultValue = "700", description = "Pixels; default ${DEFAULT-VALUE}.") int height)
      throws IOException {
    Sweep sweep = root.client().sweeps().get(id);
    Map<String, List<EpochMetrics>> runs = new LinkedHashMap<>();
    List<Trial> trials = new ArrayList<>(sweep.getTrialsList());
    trials.sort((a, b) -> Integer.compare(a.getTrial(), b.getTrial()));
    for (Trial t : trials) {
      if (t.getTrainingJob().isEmpty()) {
        continue;
      }
      List<EpochMetrics> epochs = new ArrayList<>();
      try (JobWatch events = root.client().jobs().watch(t.getTrainingJob())) {
        while (events.hasNext()) {
          TrainingJobEvent event = events.next();
          if (event.hasEpoch()) {
            epochs.add(event.getEpoch());
          }
        }
      }
      runs.put("trial " + t.getTrial() + ": " + Printer.parameters(t), epochs);
    }
    Objective.Metric metric = sweep.getObjective().getMetric();
    String title = sweep.getDisplayName().isEmpty() ? sweep.getName() : sweep.getDisplayName() + " (" + sweep.getName() + ")";
    TrainingCurves.writeComparisonPng(
        title, runs, metric.name().toLowerCase(Locale.ROOT).replace('_', ' '), value(metric), present(metric), png, width, height);
    if (root.output == OutputFormat.json) {
      root.out().println("{\"file\": \"" + png.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\", \"trials\": " + runs.size() + "}");
    } else {
      root.out().println("wrote " + png + " (" + runs.size() + " trials)");
    }
    root.out().flush();
    return Trainerctl.EXIT_OK;
  }

  private static Function<EvaluationMetrics, Double> value(Objective.Metric metric) {
    return switch (metric) {
      case ACCURACY -> EvaluationMetrics::getAccuracy;
      case RMSE -> EvaluationMetrics::getRmse;
      case LOG_RMSE -> EvaluationMetrics::getLogRmse;
      default -> EvaluationMetrics::getLoss;
    };
  }

  private static Function<EvaluationMetrics, Boolean> present(Objective.Metric metric) {
    return switch (metric) {
      case ACCURACY -> EvaluationMetrics::hasAccuracy;
      case RMSE -> EvaluationMetrics::hasRmse;
      case LOG_RMSE -> EvaluationMetrics::hasLogRmse;
      default -> m -> true;
    };
  }

  /** Prints the sweep's events until it ends, then the sweep; returns its exit code. */
  int follow(String id) {
    Sweep last = null;
    try (Sweeps.Watch events = root.client().sweeps().watch(id)) {
      while (events.hasNext()) {
        SweepEvent event = events.next();
        if (root.output == OutputFormat.json) {
          root.out().println(Printer.compactJson(event));
        } else if (event.hasTrial()) {
          Trial t = event.getTrial();
          String result = t.hasObjectiveValue() ? " objective " + Printer.number(t.getObjectiveValue()) : "";
          String why = t.hasError() ? " (" + t.getError().getMessage() + ")" : "";
          root.out().println("trial " + t.getTrial() + " [" + Printer.parameters(t) + "] " + t.getState().name() + result + why);
        } else if (event.hasSweep()) {
          root.out().println(event.getSweep().getName() + " " + event.getSweep().getState().name());
        }
        root.out().flush();
        if (event.hasSweep() && Sweeps.isTerminal(event.getSweep().getState())) {
          last = event.getSweep();
        }
      }
    }
    Sweep done = last == null ? root.client().sweeps().get(id) : last;
    if (root.output != OutputFormat.json) {
      root.out().println();
      root.printer().sweep(done);
    }
    if (done.getState() == Sweep.State.SUCCEEDED) {
      return Trainerctl.EXIT_OK;
    }
    String why = done.hasError() ? ": " + done.getError().getMessage() : "";
    root.err().println("trainerctl: " + done.getName() + " ended " + done.getState().name() + why);
    root.err().flush();
    return Trainerctl.EXIT_JOB_NOT_SUCCEEDED;
  }

  /** {@code sweeps create}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Start a sweep: the job flags give the base spec, --grid and --random the parameters.",
        "Parameters: lr (learning_rate), batch_size, epochs, weight_decay (weight-decay), optimizer (sgd|momentum|adam),",
        "model (linear|mlp), hidden (hidden_units, all layers), hidden_units.N, hidden_layers, activation, dropout,",
        "dropout.N, log_target (true|false).",
        "Example: --grid lr=0.01,0.1 --grid hidden=128,256 --random weight-decay=loguniform:1e-5:1e-1 --trials 8"
      })
  static final class Create implements Callable<Integer> {
    @ParentCommand SweepsCommand sweeps;

    @Spec CommandSpec spec;

    @Mixin JobSpecOptions options;

    @Option(names = "--grid", paramLabel = "NAME=V1,V2,...", description = "A grid parameter and its values; repeatable.")
    List<String> grids = new ArrayList<>();

    @Option(
        names = "--random",
        paramLabel = "NAME=DIST:MIN:MAX",
        description = "A random-search parameter; DIST is uniform, loguniform or int; repeatable.")
    List<String> randoms = new ArrayList<>();

    @Option(names = "--trials", paramLabel = "N", description = "Trials to run; default the grid's size (10 when all random).")
    Integer trials;

    @Option(names = "--parallel", paramLabel = "P", defaultValue = "1", description = "Trials in flight at once; default ${DEFAULT-VALUE}.")
    int parallel;

    @Option(
        names = "--objective",
        required = true,
        paramLabel = "METRIC[:min|max]",
        description = "loss, accuracy, rmse or log_rmse, on the evaluation data (K-fold: the validation mean).")
    String objective;

    @Option(names = "--early-stopping", description = "Stop trials worse than the median of the others at the same epoch.")
    boolean earlyStopping;

    @Option(names = "--warmup", paramLabel = "EPOCHS", description = "Epochs before the median rule applies; default 2.")
    Integer warmup;

    @Option(names = "--min-trials", paramLabel = "N", description = "Other trials the median needs; default 2.")
    Integer minTrials;

    @Option(names = "--sweep-seed", paramLabel = "N", description = "Seed of the random draws; default chosen by the server.")
    Long sweepSeed;

    @Option(names = "--name", description = "Display name of the sweep.")
    String name;

    @Option(names = "--wait", description = "Follow the sweep to its end; exits 3 unless it succeeds.")
    boolean await;

    @Override
    public Integer call() {
      Sweep.Builder sweep = Sweep.newBuilder().setBaseSpec(options.toSpec(spec)).setParallelism(parallel);
      try {
        for (String g : grids) {
          sweep.addParameters(grid(g));
        }
        for (String r : randoms) {
          sweep.addParameters(random(r));
        }
        sweep.setObjective(objective(objective));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
      }
      if (grids.isEmpty() && randoms.isEmpty()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "give at least one --grid or --random parameter");
      }
      if (trials != null) {
        sweep.setTrialCount(trials);
      }
      if (earlyStopping || warmup != null || minTrials != null) {
        EarlyStopping.Builder rule = EarlyStopping.newBuilder();
        if (warmup != null) {
          rule.setWarmupEpochs(warmup);
        }
        if (minTrials != null) {
          rule.setMinTrials(minTrials);
        }
        sweep.setEarlyStopping(rule);
      }
      if (sweepSeed != null) {
        sweep.setSeed(sweepSeed);
      }
      if (name != null) {
        sweep.setDisplayName(name);
      }
      Trainerctl root = sweeps.root;
      Sweep created = root.client().sweeps().create(sweep.build());
      if (!await) {
        root.printer().sweep(created);
        return Trainerctl.EXIT_OK;
      }
      return sweeps.follow(created.getName());
    }

    /** {@code NAME=V1,V2,...}. */
    static SweepParameter grid(String text) {
      int eq = text.indexOf('=');
      if (eq <= 0 || eq == text.length() - 1) {
        throw new IllegalArgumentException("--grid must look like NAME=V1,V2,..., was '" + text + "'");
      }
      return Sweeps.grid(text.substring(0, eq).strip(), text.substring(eq + 1).split(","));
    }

    /** {@code NAME=uniform|loguniform|int:MIN:MAX}. */
    static SweepParameter random(String text) {
      int eq = text.indexOf('=');
      String[] parts = eq <= 0 ? new String[0] : text.substring(eq + 1).split(":");
      if (parts.length != 3) {
        throw new IllegalArgumentException("--random must look like NAME=loguniform:MIN:MAX, was '" + text + "'");
      }
      Range.Distribution distribution =
          switch (parts[0].toLowerCase(Locale.ROOT).replace("-", "").replace("_", "")) {
            case "uniform" -> Range.Distribution.UNIFORM;
            case "loguniform", "log" -> Range.Distribution.LOG_UNIFORM;
            case "int", "integer" -> Range.Distribution.INTEGER;
            default -> throw new IllegalArgumentException("--random distribution must be uniform, loguniform or int, was '" + parts[0] + "'");
          };
      try {
        return Sweeps.range(text.substring(0, eq).strip(), Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), distribution);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--random bounds must be numbers, was '" + text + "'");
      }
    }

    /** {@code METRIC[:min|max]}. */
    static Objective objective(String text) {
      String[] parts = text.split(":");
      Objective.Builder out = Objective.newBuilder();
      switch (parts[0].toLowerCase(Locale.ROOT).replace('-', '_')) {
        case "loss" -> out.setMetric(Objective.Metric.LOSS);
        case "accuracy" -> out.setMetric(Objective.Metric.ACCURACY);
        case "rmse" -> out.setMetric(Objective.Metric.RMSE);
        case "log_rmse" -> out.setMetric(Objective.Metric.LOG_RMSE);
        default -> throw new IllegalArgumentException("--objective metric must be loss, accuracy, rmse or log_rmse, was '" + parts[0] + "'");
      }
      if (parts.length > 2) {
        throw new IllegalArgumentException("--objective must look like METRIC:min or METRIC:max, was '" + text + "'");
      }
      if (parts.length == 2) {
        switch (parts[1].toLowerCase(Locale.ROOT)) {
          case "min" -> out.setDirection(Objective.Direction.MINIMIZE);
          case "max" -> out.setDirection(Objective.Direction.MAXIMIZE);
          default -> throw new IllegalArgumentException("--objective direction must be min or max, was '" + parts[1] + "'");
        }
      }
      return out.build();
    }
  }
}
