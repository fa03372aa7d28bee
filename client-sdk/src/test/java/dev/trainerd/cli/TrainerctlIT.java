package dev.trainerd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.trainerd.client.SharedData;
import dev.trainerd.client.TrainerdServer;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * trainerctl against the packaged server: the chapter's Fashion-MNIST softmax regression and the
 * Kaggle house-price submission, driven only through the command line. Tests run in order and
 * share the uploads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainerctlIT {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private TrainerdServer server;
  private Path work;
  private String fashionTrain;
  private String fashionTest;
  private String softmaxJob;

  /** What a command returned and printed. */
  record Result(int exit, String out, String err) {
    List<String> outLines() {
      return out.lines().toList();
    }
  }

  @BeforeAll
  void start(@TempDir Path dataDir, @TempDir Path work) throws Exception {
    server = new TrainerdServer(dataDir);
    this.work = work;
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--target", server.target()));
    all.addAll(Arrays.asList(args));
    int exit = Trainerctl.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err), false);
    return new Result(exit, out.toString(), err.toString());
  }

  private static String field(Result r, String key) {
    return r.outLines().stream()
        .filter(l -> l.startsWith(key + ":"))
        .map(l -> l.substring(key.length() + 1).trim())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no '" + key + "' in:\n" + r.out()));
  }

  @Test
  @Order(1)
  void uploadsBothFashionMnistSplits() {
    Result trainUpload =
        run(
            "--output", "json", "datasets", "upload",
            SharedData.fashionMnist("train-images-idx3-ubyte.gz").toString(),
            SharedData.fashionMnist("train-labels-idx1-ubyte.gz").toString(),
            "--name", "fashion-mnist train", "--format", "idx");
    assertThat(trainUpload.exit()).as(trainUpload.err()).isZero();
    JsonObject train = JsonParser.parseString(trainUpload.out()).getAsJsonObject();
    assertThat(train.get("exampleCount").getAsLong()).isEqualTo(60_000);
    assertThat(train.get("featureCount").getAsInt()).isEqualTo(784);
    assertThat(train.get("task").getAsString()).isEqualTo("CLASSIFICATION");
    // Not a terminal: one plain progress line per file, on stderr since stdout carries JSON.
    assertThat(trainUpload.err().lines().toList())
        .hasSize(2)
        .allSatisfy(l -> assertThat(l).startsWith("uploaded train-"));
    fashionTrain = train.get("name").getAsString();

    Result testUpload =
        run(
            "datasets", "upload",
            SharedData.fashionMnist("t10k-images-idx3-ubyte.gz").toString(),
            SharedData.fashionMnist("t10k-labels-idx1-ubyte.gz").toString(),
            "--name", "fashion-mnist test");
    assertThat(testUpload.exit()).as(testUpload.err()).isZero();
    assertThat(field(testUpload, "examples")).isEqualTo("10000");
    assertThat(field(testUpload, "format")).isEqualTo("IDX");
    fashionTest = field(testUpload, "name");

    Result list = run("datasets", "list");
    assertThat(list.exit()).isZero();
    assertThat(list.outLines().get(0)).startsWith("NAME");
    assertThat(list.out()).contains(fashionTrain, fashionTest);
  }

  @Test
  @Order(2)
  void trainsSoftmaxRegressionWithWaitPrintingEachEpoch() {
    Result r =
        run(
            "jobs", "create", "--dataset", fashionTrain, "--test-dataset", fashionTest, "--model", "softmax",
            "--lr", "0.1", "--batch-size", "256", "--epochs", "10", "--seed", "1", "--name", "softmax", "--wait");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> epochLines = r.outLines().stream().filter(l -> l.startsWith("epoch ")).toList();
    assertThat(epochLines).hasSize(10);
    IntStream.rangeClosed(1, 10).forEach(e -> assertThat(epochLines.get(e - 1)).startsWith("epoch " + e + ": train loss "));
    assertThat(r.out()).contains("state SUCCEEDED");
    assertThat(field(r, "state")).isEqualTo("SUCCEEDED");
    softmaxJob = field(r, "name");
  }

  @Test
  @Order(3)
  void jobGetAsJsonCarriesTheFinalMetrics() {
    Result r = run("--output", "json", "jobs", "get", softmaxJob);
    assertThat(r.exit()).as(r.err()).isZero();
    JsonObject job = JsonParser.parseString(r.out()).getAsJsonObject();
    assertThat(job.get("name").getAsString()).isEqualTo(softmaxJob);
    assertThat(job.get("state").getAsString()).isEqualTo("SUCCEEDED");
    assertThat(job.get("epochsCompleted").getAsInt()).isEqualTo(10);
    assertThat(job.get("model").getAsString()).startsWith("models/");
    JsonObject latest = job.getAsJsonObject("latestEpoch");
    assertThat(latest.get("epoch").getAsInt()).isEqualTo(10);
    // The book's softmax regression reaches about 0.83 test accuracy after 10 epochs.
    assertThat(latest.getAsJsonObject("evaluation").get("accuracy").getAsDouble()).isGreaterThan(0.80);
    assertThat(latest.getAsJsonObject("train").get("loss").getAsDouble()).isBetween(0.3, 0.7);
  }

  @Test
  @Order(4)
  void plotWritesAPngOfTheTrainingCurves() throws Exception {
    Path png = work.resolve("softmax.png");
    Result r = run("jobs", "plot", softmaxJob, "--out", png.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    byte[] bytes = Files.readAllBytes(png);
    assertThat(Arrays.copyOf(bytes, 8)).isEqualTo(PNG_SIGNATURE);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isEqualTo(800);
    assertThat(image.getHeight()).isEqualTo(600);
  }

  @Test
  @Order(4)
  void sweepsRunWithWaitThenShowListPlotAndRefuseACancelOnceEnded() throws Exception {
    Result r =
        run(
            "sweeps", "create", "--dataset", fashionTrain, "--test-dataset", fashionTest, "--model", "mlp", "--hidden", "32",
            "--batch-size", "256", "--epochs", "1", "--seed", "1", "--grid", "lr=0.05,0.2", "--grid", "hidden=16,32",
            "--parallel", "2", "--objective", "accuracy:max", "--name", "lr x hidden", "--wait");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.outLines().stream().filter(l -> l.startsWith("trial ") && l.contains("SUCCEEDED"))).hasSize(4);
    assertThat(field(r, "state")).isEqualTo("SUCCEEDED");
    String sweep = field(r, "name");
    assertThat(field(r, "best model")).startsWith("models/");
    assertThat(r.out()).contains("RANK", "learning_rate=0.05, hidden_units=16");

    Result json = run("--output", "json", "sweeps", "get", sweep);
    assertThat(json.exit()).as(json.err()).isZero();
    JsonObject got = JsonParser.parseString(json.out()).getAsJsonObject();
    assertThat(got.getAsJsonArray("trials")).hasSize(4);
    assertThat(got.getAsJsonArray("trials").get(0).getAsJsonObject().get("rank").getAsInt()).isEqualTo(1);

    Result list = run("sweeps", "list");
    assertThat(list.exit()).isZero();
    assertThat(list.out()).contains(sweep, "4/4");

    Path png = work.resolve("sweep.png");
    Result plot = run("sweeps", "plot", sweep, "--out", png.toString());
    assertThat(plot.exit()).as(plot.err()).isZero();
    assertThat(Arrays.copyOf(Files.readAllBytes(png), 8)).isEqualTo(PNG_SIGNATURE);
    assertThat(plot.out()).contains("4 trials");

    Result cancel = run("sweeps", "cancel", sweep);
    assertThat(cancel.exit()).isEqualTo(Trainerctl.EXIT_ERROR);
    assertThat(cancel.err()).startsWith("trainerctl: FAILED_PRECONDITION");
  }

  @Test
  @Order(5)
  void housePricesAreTrainedAndPredictedToASubmissionCsv() throws Exception {
    Result train =
        run(
            "datasets", "upload", SharedData.housePrices("train.csv").toString(),
            "--label", "SalePrice", "--id-column", "Id", "--name", "house prices train");
    assertThat(train.exit()).as(train.err()).isZero();
    assertThat(field(train, "task")).isEqualTo("REGRESSION");
    Result test = run("datasets", "upload", SharedData.housePrices("test.csv").toString(), "--id-column", "Id");
    assertThat(test.exit()).as(test.err()).isZero();
    assertThat(field(test, "task")).isEqualTo("UNLABELLED");

    Result job =
        run(
            "--output", "json", "jobs", "create", "--dataset", field(train, "name"), "--model", "linear",
            "--optimizer", "adam", "--lr", "5", "--batch-size", "64", "--epochs", "100", "--weight-decay", "0",
            "--fit-also-on", field(test, "name"), "--seed", "1", "--wait");
    assertThat(job.exit()).as(job.err()).isZero();
    // stdout is one JSON document even with --wait: the progress went to stderr.
    JsonObject finished = JsonParser.parseString(job.out()).getAsJsonObject();
    assertThat(finished.get("state").getAsString()).isEqualTo("SUCCEEDED");
    assertThat(finished.getAsJsonObject("latestEpoch").getAsJsonObject("train").get("logRmse").getAsDouble()).isLessThan(0.25);
    assertThat(job.err().lines().filter(l -> l.startsWith("epoch ")).count()).isEqualTo(100);

    Path csv = work.resolve("submission.csv");
    Result predict = run("models", "predict", finished.get("model").getAsString(), "--dataset", field(test, "name"), "--out", csv.toString());
    assertThat(predict.exit()).as(predict.err()).isZero();
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(1 + 1459);
    assertThat(lines.get(0)).isEqualTo("Id,SalePrice");
    assertThat(lines.get(1)).startsWith("1461,");
    for (String line : lines.subList(1, lines.size())) {
      assertThat(Double.parseDouble(line.split(",")[1])).isFinite();
    }

    Path zip = work.resolve("model.zip");
    Result export = run("models", "export", finished.get("model").getAsString(), "--out", zip.toString());
    assertThat(export.exit()).as(export.err()).isZero();
    assertThat(Files.size(zip)).isPositive();
  }

  @Test
  @Order(6)
  void errorsPrintOneLineAndExitNonZero() {
    Result notFound = run("datasets", "get", "datasets/aaaaaaaaaaaaaaaa");
    assertThat(notFound.exit()).isEqualTo(Trainerctl.EXIT_ERROR);
    assertThat(notFound.err().lines().toList()).singleElement().satisfies(l -> assertThat(l).startsWith("trainerctl: NOT_FOUND: "));

    Result invalid = run("jobs", "create", "--dataset", fashionTrain, "--model", "softmax", "--lr", "-1");
    assertThat(invalid.exit()).isEqualTo(Trainerctl.EXIT_ERROR);
    assertThat(invalid.err().lines().toList())
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("trainerctl: INVALID_ARGUMENT: ").contains("spec.learning_rate"));

    Result usage = run("jobs", "create", "--dataset", fashionTrain);
    assertThat(usage.exit()).isEqualTo(Trainerctl.EXIT_USAGE);
    assertThat(usage.err().lines().toList()).singleElement().satisfies(l -> assertThat(l).contains("--model"));

    Result twoSplits = run("jobs", "create", "--dataset", fashionTrain, "--model", "softmax", "--holdout", "0.1", "--folds", "5");
    assertThat(twoSplits.exit()).isEqualTo(Trainerctl.EXIT_USAGE);
  }

  @Test
  @Order(7)
  void waitExitsNonZeroWhenTheJobDoesNotSucceed() throws Exception {
    Result synthetic = run("datasets", "create-synthetic", "linear", "--examples", "1000", "--seed", "5");
    assertThat(synthetic.exit()).as(synthetic.err()).isZero();
    CompletableFuture<Result> waiting =
        CompletableFuture.supplyAsync(
            () ->
                run(
                    "jobs", "create", "--dataset", field(synthetic, "name"), "--model", "linear", "--batch-size", "1",
                    "--epochs", "10000", "--lr", "0.001", "--name", "cancel-me", "--wait"));
    String name = null;
    while (name == null && !waiting.isDone()) {
      Result list = run("--output", "json", "jobs", "list");
      JsonObject page = JsonParser.parseString(list.out()).getAsJsonObject();
      for (JsonElement job : page.has("trainingJobs") ? page.getAsJsonArray("trainingJobs") : new com.google.gson.JsonArray()) {
        if (job.getAsJsonObject().has("displayName") && job.getAsJsonObject().get("displayName").getAsString().equals("cancel-me")) {
          name = job.getAsJsonObject().get("name").getAsString();
        }
      }
      Thread.sleep(100);
    }
    assertThat(name).as("the waiting job appears in the list").isNotNull();
    assertThat(run("jobs", "cancel", name).exit()).isZero();

    Result r = waiting.get(2, TimeUnit.MINUTES);
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(Trainerctl.EXIT_JOB_NOT_SUCCEEDED);
    assertThat(field(r, "state")).isEqualTo("CANCELLED");
    String cancelled = name;
    assertThat(r.err().lines().toList()).singleElement().satisfies(l -> assertThat(l).contains(cancelled + " ended CANCELLED"));

    // A spec the server rejects at creation is a one-line error with its field.
    Result mismatch = run("jobs", "create", "--dataset", field(synthetic, "name"), "--model", "softmax", "--wait");
    assertThat(mismatch.exit()).isEqualTo(Trainerctl.EXIT_ERROR);
    assertThat(mismatch.err().lines().toList()).singleElement().satisfies(l -> assertThat(l).contains("spec.loss"));
  }

  @Test
  @Order(8)
  void theShadedJarRunsAsAProgram() throws Exception {
    String jar = System.getProperty("trainerctl.jar");
    assertThat(jar).as("trainerctl.jar system property").isNotNull();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    Process list = new ProcessBuilder(java, "-jar", jar, "--target", server.target(), "--output", "json", "datasets", "list").start();
    String out = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(list.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(list.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(list.exitValue()).as(err).isZero();
    assertThat(JsonParser.parseString(out).getAsJsonObject().getAsJsonArray("datasets").size()).isGreaterThanOrEqualTo(4);

    Process down = new ProcessBuilder(java, "-jar", jar, "--target", "127.0.0.1:1", "--timeout", "5", "datasets", "list").start();
    String downOut = new String(down.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String downErr = new String(down.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(down.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(down.exitValue()).isEqualTo(Trainerctl.EXIT_ERROR);
    assertThat(downOut).isEmpty();
    assertThat(downErr.lines().toList()).singleElement().satisfies(l -> assertThat(l).startsWith("trainerctl: UNAVAILABLE"));
  }

  @Test
  @Order(9)
  void precisionIsSentAndShownOnTheJobAndItsModel() {
    Result synthetic = run("datasets", "create-synthetic", "linear", "--examples", "200", "--seed", "9");
    assertThat(synthetic.exit()).as(synthetic.err()).isZero();
    Result job =
        run(
            "jobs", "create", "--dataset", field(synthetic, "name"), "--model", "mlp", "--hidden", "8", "--epochs", "1",
            "--precision", "mixed-bfloat16", "--wait");
    assertThat(job.exit()).as(job.err()).isZero();
    assertThat(field(job, "precision")).isEqualTo("mixed-bfloat16");
    assertThat(field(run("models", "get", field(job, "model")), "precision")).isEqualTo("mixed-bfloat16");
    Result json = run("--output", "json", "jobs", "get", field(job, "name"));
    assertThat(JsonParser.parseString(json.out()).getAsJsonObject().getAsJsonObject("spec").get("precision").getAsString())
        .isEqualTo("PRECISION_MIXED_BFLOAT16");
  }
}
