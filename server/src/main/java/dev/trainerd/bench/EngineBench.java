package dev.trainerd.bench;

import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.Table;
import dev.trainerd.data.csv.CsvParser;
import dev.trainerd.data.idx.IdxReader;
import dev.trainerd.data.prep.PreprocessingOptions;
import dev.trainerd.data.prep.Preprocessor;
import dev.trainerd.ml.CrossValidationResult;
import dev.trainerd.ml.Folds;
import dev.trainerd.ml.Activation;
import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.EpochMetrics;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Initializer;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.Optimizer;
import dev.trainerd.ml.Precision;
import dev.trainerd.ml.Threads;
import dev.trainerd.ml.TrainedModel;
import dev.trainerd.ml.TrainingListener;
import dev.trainerd.ml.TrainingSpec;
import dev.trainerd.ml.WeightDecay;
import dev.trainerd.ml.tf.TfTrainer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Trains the chapter's Fashion-MNIST models (softmax regression, MLP 784-256-10, dropout MLP
 * 784-256-256-10) with the book's hyperparameters and prints one JSON object: per model the
 * median seconds per epoch over the epochs after the first (wall time of the training steps), the
 * median process CPU seconds per epoch (all threads, from one epoch callback to the next, so it
 * includes the evaluation of the test set; on a shared machine it bounds the work while wall time
 * also counts waiting for the CPU), the final test accuracy and the mean test accuracy of the last
 * three epochs, plus the system load average at the end.
 *
 * <p>Usage: {@code java -cp 'server/target/trainerd-server.jar:server/target/lib/*'
 * dev.trainerd.bench.EngineBench [--data DIR] [--epochs N] [--steps-per-run K]
 * [--product-splits S] [--intra-op N]
 * [--inter-op N] [--precision float32|mixed-bfloat16] [--device auto|cpu|gpu]
 * [--models softmax,mlp,dropout,house] [--repeat N]}
 * ({@code --repeat}: the house-price job N times, the later runs' totals listed apart;
 * {@code --device}: where the jobs train, {@code auto} as a job's default, a GPU when the GPU
 * native build sees one; the JSON names the device used). The
 * precision applies to the Fashion-MNIST models; house prices always train in float32 (a
 * regression). {@code DIR} holds {@code fashion-mnist/}
 * (default: the {@code trainerd.shared.data} system property, else {@code ../shared/data}).
 */
public final class EngineBench {

  private EngineBench() {}

  public static void main(String[] args) throws IOException {
    Path data = Path.of(System.getProperty("trainerd.shared.data", "../shared/data"));
    int epochs = 10;
    int stepsPerRun = TfTrainer.DEFAULT_STEPS_PER_RUN;
    int splits = TfTrainer.DEFAULT_PRODUCT_SPLITS;
    int intraOp = 0;
    int interOp = 0;
    Precision precision = Precision.FLOAT32;
    List<String> models = new ArrayList<>(List.of("softmax", "mlp", "dropout"));
    int repeat = 1;
    Device device = Device.AUTO;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]);
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--steps-per-run" -> stepsPerRun = Integer.parseInt(args[++i]);
        case "--product-splits" -> splits = Integer.parseInt(args[++i]);
        case "--intra-op" -> intraOp = Integer.parseInt(args[++i]);
        case "--inter-op" -> interOp = Integer.parseInt(args[++i]);
        case "--precision" -> precision = Precision.valueOf(args[++i].toUpperCase(Locale.ROOT).replace('-', '_'));
        case "--models" -> models = new ArrayList<>(Arrays.asList(args[++i].split(",")));
        case "--repeat" -> repeat = Integer.parseInt(args[++i]);
        case "--device" -> device = Device.valueOf(args[++i].toUpperCase(Locale.ROOT));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    TfTrainer trainer = new TfTrainer(stepsPerRun, splits);
    StringBuilder json = new StringBuilder();
    json.append(String.format(Locale.ROOT,
        "{\"steps_per_run\": %d, \"product_splits\": %d, \"intra_op\": %d, \"inter_op\": %d, \"epochs\": %d,"
            + " \"precision\": \"%s\", \"device_requested\": \"%s\", \"gpu_visible\": %b",
        stepsPerRun, splits, intraOp, interOp, epochs, precision, device,
        trainer.resolveDevice(Device.AUTO) == Device.GPU));
    if (models.remove("house")) {
      json.append(", \"house_prices_5fold\": ")
          .append(housePrices(trainer, data, houseSpec(new Threads(intraOp, interOp), device), repeat));
    }
    if (models.isEmpty()) {
      json.append(String.format(Locale.ROOT, ", \"load_average\": %.2f}",
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
      System.out.println(json);
      return;
    }
    long loadStart = System.nanoTime();
    Path dir = data.resolve("fashion-mnist");
    Examples train = load(dir, "train");
    Examples test = load(dir, "t10k");
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;

    json.append(String.format(Locale.ROOT, ", \"load_seconds\": %.3f, \"models\": {", loadSeconds));
    boolean first = true;
    for (String name : models) {
      TrainingSpec spec = spec(name, epochs, new Threads(intraOp, interOp), device).toBuilder().precision(precision).build();
      List<EpochMetrics> epochsSeen = new ArrayList<>();
      List<Double> cpuSeconds = new ArrayList<>();
      long[] lastCpu = {processCpuNanos()};
      long started = System.nanoTime();
      TrainedModel model =
          trainer.train(
              spec,
              train,
              Optional.of(test),
              m -> {
                long now = processCpuNanos();
                cpuSeconds.add((now - lastCpu[0]) / 1e9);
                lastCpu[0] = now;
                epochsSeen.add(m);
              },
              CancellationSignal.never());
      double total = (System.nanoTime() - started) / 1e9;
      double[] later =
          epochsSeen.stream().skip(1).mapToDouble(EpochMetrics::durationSeconds).sorted().toArray();
      double median = later.length == 0 ? epochsSeen.get(0).durationSeconds() : median(later);
      double[] laterCpu = cpuSeconds.stream().skip(1).mapToDouble(Double::doubleValue).sorted().toArray();
      double medianCpu = laterCpu.length == 0 ? cpuSeconds.get(0) : median(laterCpu);
      int last = epochsSeen.size();
      double last3 =
          epochsSeen.subList(Math.max(0, last - 3), last).stream()
              .mapToDouble(m -> m.evaluation().orElseThrow().accuracy()).average().orElse(Double.NaN);
      json.append(first ? "" : ", ");
      first = false;
      json.append(String.format(Locale.ROOT,
          "\"%s\": {\"device\": \"%s\", \"median_seconds_per_epoch\": %.4f, \"median_cpu_seconds_per_epoch\": %.4f,"
              + " \"first_epoch_seconds\": %.4f, \"total_seconds\": %.2f,"
              + " \"test_accuracy\": %.4f, \"mean_test_accuracy_last3\": %.4f, \"train_loss\": %.4f}",
          name, trainer.resolveDevice(spec, train), median, medianCpu, epochsSeen.get(0).durationSeconds(), total,
          model.finalEvaluation().orElseThrow().accuracy(), last3,
          epochsSeen.get(last - 1).trainLoss()));
    }
    json.append(String.format(Locale.ROOT, "}, \"load_average\": %.2f}",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    System.out.println(json);
  }

  /**
   * The book's house-price model: 331 features (preprocessing fitted on train and test), linear
   * regression, Adam lr 5, batch 64, 5 contiguous folds x 100 epochs; whole wall time, graph
   * building included.
   */
  private static String housePrices(TfTrainer trainer, Path data, TrainingSpec spec, int repeat) throws IOException {
    Examples examples = houseExamples(data);
    // Warm the backend up first, as the server does once it serves, so that is not timed here.
    trainer.warmUp();
    StringBuilder later = new StringBuilder();
    String first = null;
    for (int run = 0; run < repeat; run++) {
      List<Double> epochSeconds = new ArrayList<>();
      long cpuStarted = processCpuNanos();
      long started = System.nanoTime();
      CrossValidationResult cv =
          trainer.crossValidate(spec, examples, new Folds(5, false, 0), m -> epochSeconds.add(m.durationSeconds()),
              CancellationSignal.never());
      double total = (System.nanoTime() - started) / 1e9;
      double cpu = (processCpuNanos() - cpuStarted) / 1e9;
      if (run == 0) {
        double[] sorted = epochSeconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        first = String.format(Locale.ROOT,
            "\"device\": \"%s\", \"total_seconds\": %.3f, \"cpu_seconds\": %.3f, \"epochs\": %d,"
                + " \"median_epoch_seconds\": %.5f, \"mean_train_log_rmse\": %.4f, \"mean_valid_log_rmse\": %.4f",
            trainer.resolveDevice(spec, examples), total, cpu, sorted.length, median(sorted), cv.meanTrain().logRmse(),
            cv.meanValidation().logRmse());
      } else {
        later.append(later.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", total));
      }
    }
    // Later runs show the same job once the JIT and TensorFlow's kernels are warm.
    return "{" + first + (repeat > 1 ? ", \"later_total_seconds\": [" + later + "]" : "") + "}";
  }

  /** The Kaggle training set with the book's preprocessing, fitted on train and test together. */
  static Examples houseExamples(Path data) throws IOException {
    return preprocessedHouse(houseTables(data));
  }

  /** The Kaggle train and test tables as an upload parses them (label SalePrice, id Id). */
  static List<Table> houseTables(Path data) throws IOException {
    Path dir = data.resolve("house-prices");
    CsvParser parser = new CsvParser();
    Table train = parser.parseTable("train.csv", () -> CsvParser.utf8Reader(dir.resolve("train.csv")),
        DatasetOptions.csv("SalePrice", "Id"));
    Table test = parser.parseTable("test.csv", () -> CsvParser.utf8Reader(dir.resolve("test.csv")),
        DatasetOptions.csv("", "Id"));
    return List.of(train, test);
  }

  /** The book's preprocessing fitted on both tables, applied to the first (the training set). */
  static Examples preprocessedHouse(List<Table> tables) {
    Table train = tables.get(0);
    Preprocessor p = Preprocessor.fit(tables, PreprocessingOptions.BOOK_HOUSE_PRICES);
    return new Examples(train.rowCount(), p.featureCount(), p.transform(train), train.labels());
  }

  /** The book's house-price model: linear regression, Adam lr 5, batch 64, 100 epochs. */
  static TrainingSpec houseSpec(Threads threads, Device device) {
    return TrainingSpec.builder()
        .model(new ModelSpec.LinearRegression())
        .loss(new Loss.Squared())
        .initializer(new Initializer.Normal(0.01))
        .optimizer(Optimizer.Adam.defaults())
        .learningRate(5)
        .batchSize(64)
        .epochs(100)
        .weightDecay(WeightDecay.none())
        .threads(threads)
        .device(device)
        .seed(0)
        .build();
  }

  /** The median of values already sorted. */
  static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** This process's CPU time, all threads: TensorFlow's pools included. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static Examples load(Path dir, String prefix) throws IOException {
    try (InputStream images = Files.newInputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz"));
        InputStream labels = Files.newInputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
      return IdxReader.read(images, labels);
    }
  }

  /** The book's setup for each model. */
  static TrainingSpec spec(String name, int epochs, Threads threads, Device device) {
    TrainingSpec.Builder b =
        TrainingSpec.builder()
            .loss(new Loss.SoftmaxCrossEntropy(true))
            .initializer(new Initializer.Normal(0.01))
            .optimizer(new Optimizer.Sgd())
            .batchSize(256)
            .epochs(epochs)
            .weightDecay(WeightDecay.none())
            .threads(threads)
            .device(device)
            .seed(42);
    return switch (name) {
      case "softmax" -> b.model(new ModelSpec.SoftmaxRegression()).learningRate(0.1).build();
      case "mlp" ->
          b.model(new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(256)))).learningRate(0.1).build();
      case "dropout" ->
          b.model(new ModelSpec.Mlp(List.of(
                  new ModelSpec.HiddenLayer(256, Activation.RELU, 0.2),
                  new ModelSpec.HiddenLayer(256, Activation.RELU, 0.5))))
              .learningRate(0.5)
              .build();
      default -> throw new IllegalArgumentException("unknown model " + name + " (softmax, mlp, dropout)");
    };
  }
}
