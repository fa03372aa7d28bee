package dev.trainerd.cli;

import dev.trainerd.client.TrainerClient;
import dev.trainerd.client.TrainerException;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trainerctl}: data sets, training jobs and models of a trainerd server from a terminal
 * or a script.
 *
 * <p>Exit codes: {@value #EXIT_OK} success, {@value #EXIT_ERROR} the call or a file failed,
 * {@value #EXIT_USAGE} bad arguments, {@value #EXIT_JOB_NOT_SUCCEEDED} a waited-for or watched
 * job ended FAILED or CANCELLED. Errors print one line on stderr.
 */
@Command(
    name = "trainerctl",
    mixinStandardHelpOptions = true,
    versionProvider = Trainerctl.Version.class,
    description = "Uploads data sets, trains models and predicts with a trainerd server.",
    subcommands = {DatasetsCommand.class, JobsCommand.class, SweepsCommand.class, ModelsCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 success, 1 error, 2 bad arguments, 3 the job or sweep did not succeed (--wait, watch)."})
public final class Trainerctl implements Callable<Integer> {
  /** Success. */
  public static final int EXIT_OK = 0;
  /** A call failed, a file could not be read or written. */
  public static final int EXIT_ERROR = 1;
  /** Bad command-line arguments. */
  public static final int EXIT_USAGE = 2;
  /** {@code --wait} or {@code jobs watch}: the job ended FAILED or CANCELLED. */
  public static final int EXIT_JOB_NOT_SUCCEEDED = 3;

  @Option(
      names = "--target",
      defaultValue = "${env:TRAINERD_TARGET:-localhost:50051}",
      description = "Server address HOST:PORT or a gRPC target (env TRAINERD_TARGET; default ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--output",
      defaultValue = "table",
      description = "table or json (protobuf canonical JSON, one document); default ${DEFAULT-VALUE}.")
  OutputFormat output;

  @Option(names = "--token", defaultValue = "${env:TRAINERD_TOKEN}", description = "Bearer token sent with every call (env TRAINERD_TOKEN).")
  String token;

  @Option(names = "--tls-ca", paramLabel = "FILE", description = "Use TLS, trusting the CA certificates in this PEM file.")
  Path tlsCa;

  @Option(names = "--tls", description = "Use TLS with the system's trusted CAs.")
  boolean tls;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60", description = "Deadline of each short call; default ${DEFAULT-VALUE}.")
  int timeoutSeconds;

  @Spec CommandSpec spec;

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean terminal;
  private TrainerClient client;

  Trainerctl(PrintWriter out, PrintWriter err, boolean terminal) {
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    System.exit(run(args, out, err, System.console() != null));
  }

  /**
   * Runs one command line.
   *
   * @param terminal whether stdout is a terminal (progress bars) rather than a pipe (plain lines)
   * @return the exit code
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err, boolean terminal) {
    Trainerctl root = new Trainerctl(out, err, terminal);
    CommandLine commandLine = new CommandLine(root);
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler(
        (error, cmd, parsed) -> {
          err.println("trainerctl: " + oneLine(error));
          err.flush();
          return EXIT_ERROR;
        });
    commandLine.setParameterExceptionHandler(
        (error, arguments) -> {
          err.println(
              "trainerctl: " + error.getMessage() + " (see '" + error.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
          err.flush();
          return EXIT_USAGE;
        });
    try {
      return commandLine.execute(args);
    } finally {
      root.closeClient();
      out.flush();
      err.flush();
    }
  }

  private static String oneLine(Exception error) {
    if (error instanceof TrainerException te) {
      return te.oneLine();
    }
    if (error instanceof UncheckedIOException u) {
      return u.getCause().getMessage() == null ? u.getMessage() : u.getMessage() + ": " + u.getCause().getMessage();
    }
    if (error instanceof IOException || error instanceof IllegalArgumentException) {
      return String.valueOf(error.getMessage());
    }
    return error.getClass().getSimpleName() + ": " + error.getMessage();
  }

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand: datasets, jobs, sweeps or models");
  }

  /** The client, connected on first use. */
  TrainerClient client() {
    if (client == null) {
      TrainerClient.Builder builder = TrainerClient.newBuilder(target).defaultDeadline(Duration.ofSeconds(timeoutSeconds));
      if (tlsCa != null) {
        builder.tlsCaFile(tlsCa);
      } else if (tls) {
        builder.useTls();
      }
      if (token != null && !token.isBlank()) {
        builder.bearerToken(token);
      }
      client = builder.build();
    }
    return client;
  }

  Printer printer() {
    return new Printer(out, output);
  }

  /** Progress goes to stdout for tables, to stderr when stdout carries one JSON document. */
  Progress progress() {
    return output == OutputFormat.json ? new Progress(err, false) : new Progress(out, terminal);
  }

  PrintWriter out() {
    return out;
  }

  PrintWriter err() {
    return err;
  }

  private void closeClient() {
    if (client != null) {
      client.close();
      client = null;
    }
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Trainerctl.class.getPackage().getImplementationVersion();
      return new String[] {"trainerctl " + (v == null ? "(development build)" : v)};
    }
  }
}
