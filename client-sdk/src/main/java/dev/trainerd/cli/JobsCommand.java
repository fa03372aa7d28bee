package dev.trainerd.cli;

import dev.trainerd.client.JobWatch;
import dev.trainerd.client.TrainingJobs;
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
import picocli.CommandLine.Mixin;
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

    @Mixin JobSpecOptions options;

    @Option(names = "--name", description = "Display name of the job.")
    String name;

    @Option(names = "--request-id", paramLabel = "KEY", description = "Idempotency key: repeating the command returns the same job.")
    String requestId;

    @Option(names = "--wait", description = "Follow the job to its end; exits 3 unless it succeeds.")
    boolean await;

    @Override
    public Integer call() {
      TrainingJobSpec jobSpec = options.toSpec(spec);
      Trainerctl root = jobs.root;
      TrainingJob job = root.client().jobs().create(name, jobSpec, requestId);
      if (!await) {
        root.printer().job(job);
        return Trainerctl.EXIT_OK;
      }
      return jobs.follow(job);
    }
  }
}
