package dev.trainerd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.v1.EpochMetrics;
import dev.trainerd.v1.EvaluationMetrics;
import dev.trainerd.v1.Loss;
import dev.trainerd.v1.Precision;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.StateChange;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** trainerctl without a server: usage errors, parsers, progress rendering, the plot. */
class TrainerctlTest {
  private record Result(int exit, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Trainerctl.run(args, new PrintWriter(out), new PrintWriter(err), false);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void usageErrorsExitTwoWithOneLine() {
    for (String[] args :
        List.of(
            new String[] {},
            new String[] {"datasets"},
            new String[] {"--output", "yaml", "datasets", "list"},
            new String[] {"jobs", "create", "--model", "softmax"},
            new String[] {"jobs", "create", "--dataset", "d", "--model", "cnn"},
            new String[] {"jobs", "create", "--dataset", "d", "--model", "mlp"},
            new String[] {"jobs", "create", "--dataset", "d", "--model", "softmax", "--loss", "fancy"},
            new String[] {"jobs", "create", "--dataset", "d", "--model", "softmax", "--precision", "half"},
            new String[] {"datasets", "create-synthetic", "cubic"})) {
      Result r = run(args);
      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(Trainerctl.EXIT_USAGE);
      assertThat(r.err().lines().toList()).as(String.join(" ", args)).singleElement();
      assertThat(r.out()).isEmpty();
    }
  }

  @Test
  void helpAndVersionSucceed() {
    Result help = run("jobs", "create", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--fit-also-on", "--wait", "--optimizer", "--precision");
    assertThat(run("--version").exit()).isZero();
  }

  @Test
  void anUnreachableServerIsOneErrorLine() {
    Result r = run("--target", "127.0.0.1:1", "--timeout", "5", "models", "list");
    assertThat(r.exit()).isEqualTo(Trainerctl.EXIT_ERROR);
    // Retries with backoff may outlast the deadline on a loaded machine: either way, one line.
    assertThat(r.err().lines().toList())
        .singleElement()
        .satisfies(l -> assertThat(l).matches("trainerctl: (UNAVAILABLE|DEADLINE_EXCEEDED): .*"));
  }

  private static TrainingJobSpec jobSpec(String... args) {
    JobsCommand.Create create = new JobsCommand.Create();
    new CommandLine(create).parseArgs(args);
    return create.options.toSpec(create.spec);
  }

  @Test
  void precisionFlagSetsTheSpecsPrecision() {
    assertThat(jobSpec("--dataset", "d", "--model", "mlp", "--hidden", "256", "--precision", "mixed-bfloat16").getPrecision())
        .isEqualTo(Precision.PRECISION_MIXED_BFLOAT16);
    assertThat(jobSpec("--dataset", "d", "--model", "softmax", "--precision", "FLOAT32").getPrecision())
        .isEqualTo(Precision.PRECISION_FLOAT32);
    assertThat(jobSpec("--dataset", "d", "--model", "softmax", "--precision", "mixed_bfloat16").getPrecision())
        .isEqualTo(Precision.PRECISION_MIXED_BFLOAT16);
    assertThat(jobSpec("--dataset", "d", "--model", "softmax").getPrecision()).isEqualTo(Precision.PRECISION_UNSPECIFIED);
    Result bad = run("jobs", "create", "--dataset", "d", "--model", "softmax", "--precision", "bf16");
    assertThat(bad.err()).contains("--precision must be float32 or mixed-bfloat16, was 'bf16'");
  }

  @Test
  void jobsAndModelsShowTheirPrecision() {
    StringWriter out = new StringWriter();
    Printer printer = new Printer(new PrintWriter(out), OutputFormat.table);
    printer.job(
        TrainingJob.newBuilder()
            .setName("trainingJobs/j")
            .setSpec(TrainingJobSpec.newBuilder().setPrecision(Precision.PRECISION_MIXED_BFLOAT16))
            .build());
    printer.model(dev.trainerd.v1.Model.newBuilder().setName("models/m").build());
    assertThat(out.toString().lines().filter(l -> l.startsWith("precision:")).map(l -> l.replaceAll("\\s+", " ")))
        .containsExactly("precision: mixed-bfloat16", "precision: float32");
  }

  @Test
  void lossesAndInitialisersParseWithOptionalParameters() {
    assertThat(SpecParsers.loss("huber:1.5").getHuber().getRho()).isEqualTo(1.5);
    assertThat(SpecParsers.loss("softmax-cross-entropy").getKindCase()).isEqualTo(Loss.KindCase.SOFTMAX_CROSS_ENTROPY);
    assertThat(SpecParsers.initializer("normal:0.01").getNormal().getSigma()).isEqualTo(0.01);
    assertThat(SpecParsers.initializer("xavier").hasXavier()).isTrue();
    assertThat(SpecParsers.initializer("load:abc").getLoad().getModel()).isEqualTo("models/abc");
    assertThatThrownBy(() -> SpecParsers.initializer("constant")).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> SpecParsers.loss("huber:x")).hasMessageContaining("must be a number");
  }

  @Test
  void progressIsABarOnATerminalAndLinesOtherwise() {
    TrainingJobEvent epoch =
        TrainingJobEvent.newBuilder()
            .setEpoch(EpochMetrics.newBuilder().setEpoch(1).setTrain(EvaluationMetrics.newBuilder().setLoss(0.5).setAccuracy(0.8)))
            .build();
    TrainingJobEvent done =
        TrainingJobEvent.newBuilder().setStateChange(StateChange.newBuilder().setState(TrainingJob.State.SUCCEEDED)).build();

    StringWriter plain = new StringWriter();
    Progress lines = new Progress(new PrintWriter(plain), false);
    int[] seen = {0};
    lines.event(epoch, 2, seen);
    lines.event(done, 2, seen);
    lines.done();
    assertThat(plain.toString().lines().toList())
        .containsExactly("epoch 1: train loss 0.5000 accuracy 0.8000", "state SUCCEEDED");

    StringWriter tty = new StringWriter();
    Progress bar = new Progress(new PrintWriter(tty), true);
    seen[0] = 0;
    bar.event(epoch, 2, seen);
    assertThat(tty.toString()).startsWith("\r[###############...............]  50% 1/2  epoch 1:");
    bar.event(done, 2, seen);
    assertThat(tty.toString()).endsWith("\rstate SUCCEEDED" + System.lineSeparator());
  }

  @Test
  void uploadProgressIsABarOnATerminalAndALinePerFileOtherwise() {
    StringWriter plain = new StringWriter();
    Progress.Upload lines = new Progress(new PrintWriter(plain), false).upload();
    lines.onProgress("images.gz", 60, 100);
    lines.onProgress("labels.gz", 100, 100);
    lines.finished();
    assertThat(plain.toString().lines().toList()).containsExactly("uploaded images.gz (60 bytes)", "uploaded labels.gz (40 bytes)");

    StringWriter tty = new StringWriter();
    Progress.Upload bar = new Progress(new PrintWriter(tty), true).upload();
    bar.onProgress("images.gz", 50_000_000, 100_000_000);
    assertThat(tty.toString()).isEqualTo("\r[###############...............]  50% 50.0/100.0 MB  images.gz");
  }

  @Test
  void trainingCurvesAreAPng(@TempDir Path dir) throws Exception {
    List<EpochMetrics> epochs = new ArrayList<>();
    for (int e = 1; e <= 5; e++) {
      epochs.add(
          EpochMetrics.newBuilder()
              .setEpoch(e)
              .setTrain(EvaluationMetrics.newBuilder().setLoss(1.0 / e).setAccuracy(0.5 + e / 20.0))
              .setEvaluation(EvaluationMetrics.newBuilder().setLoss(1.1 / e).setAccuracy(0.45 + e / 20.0))
              .build());
    }
    Path png = dir.resolve("curves.png");
    TrainingCurves.writePng("test", epochs, png, 640, 480);
    assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(640);
    assertThatThrownBy(() -> TrainingCurves.writePng("none", List.of(), png, 640, 480))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
