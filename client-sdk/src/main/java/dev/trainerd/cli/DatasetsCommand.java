package dev.trainerd.cli;

import dev.trainerd.client.DatasetUpload;
import dev.trainerd.v1.CreateSyntheticDatasetResponse;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetFormat;
import dev.trainerd.v1.LinearSyntheticSpec;
import dev.trainerd.v1.ListDatasetsResponse;
import dev.trainerd.v1.PolynomialSyntheticSpec;
import dev.trainerd.v1.SyntheticSpec;
import dev.trainerd.v1.TaskType;
import dev.trainerd.v1.WeightDecaySyntheticSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code trainerctl datasets ...}: upload, create-synthetic, list, get, delete. */
@Command(name = "datasets", mixinStandardHelpOptions = true, description = "Upload, generate, list, show and delete data sets.")
final class DatasetsCommand implements Callable<Integer> {
  /** Upload formats. */
  enum Format {
    auto,
    csv,
    idx
  }

  /** Label tasks. */
  enum Task {
    auto,
    regression,
    classification,
    unlabelled
  }

  @ParentCommand Trainerctl root;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand: upload, create-synthetic, list, get or delete");
  }

  @Command(name = "upload", mixinStandardHelpOptions = true, description = "Upload files as one data set (IDX: the images and labels files together).")
  int upload(
      @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files in order.") List<Path> files,
      @Option(names = "--name", description = "Display name; default the first file's name.") String name,
      @Option(names = "--format", defaultValue = "auto", description = "auto, csv or idx; default ${DEFAULT-VALUE}.") Format format,
      @Option(names = "--label", paramLabel = "COLUMN", description = "CSV label column; without it the data set is unlabelled.") String label,
      @Option(names = "--id-column", paramLabel = "COLUMN", description = "CSV id column kept aside for submissions (e.g. Id).") String idColumn,
      @Option(names = "--separator", paramLabel = "C", description = "CSV separator; detected among , ; and tab when not given.") String separator,
      @Option(names = "--task", defaultValue = "auto", description = "auto, regression, classification or unlabelled; default ${DEFAULT-VALUE}.") Task task) {
    DatasetUpload.Builder upload =
        DatasetUpload.newBuilder()
            .displayName(name != null ? name : files.get(0).getFileName().toString())
            .format(
                switch (format) {
                  case auto -> DatasetFormat.DATASET_FORMAT_UNSPECIFIED;
                  case csv -> DatasetFormat.CSV;
                  case idx -> DatasetFormat.IDX;
                })
            .task(
                switch (task) {
                  case auto -> TaskType.TASK_TYPE_UNSPECIFIED;
                  case regression -> TaskType.REGRESSION;
                  case classification -> TaskType.CLASSIFICATION;
                  case unlabelled -> TaskType.UNLABELLED;
                });
    if (label != null) {
      upload.labelColumn(label);
    }
    if (idColumn != null) {
      upload.idColumn(idColumn);
    }
    if (separator != null) {
      if ("\\t".equals(separator) || "tab".equalsIgnoreCase(separator)) {
        separator = "\t";
      }
      if (separator.length() != 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--separator must be one character, was '" + separator + "'");
      }
      upload.separator(separator);
    }
    for (Path file : files) {
      upload.addFile(file);
    }
    Progress progress = root.progress();
    Progress.Upload listener = progress.upload();
    upload.progressListener(listener);
    Dataset dataset = root.client().datasets().upload(upload.build());
    listener.finished();
    root.printer().dataset(dataset);
    return Trainerctl.EXIT_OK;
  }

  @Command(
      name = "create-synthetic",
      mixinStandardHelpOptions = true,
      description = "Generate the chapter's synthetic data: linear, polynomial (train + test) or weight-decay (train + test).")
  int createSynthetic(
      @Parameters(paramLabel = "KIND", description = "linear, polynomial or weight-decay.") String kind,
      @Option(names = "--examples", paramLabel = "N", description = "Examples (linear) or training examples (polynomial, weight-decay).") Integer examples,
      @Option(names = "--test-examples", paramLabel = "N", description = "Test examples (polynomial, weight-decay).") Integer testExamples,
      @Option(names = "--seed", defaultValue = "0", description = "Random seed; the same spec and seed give the same data; default ${DEFAULT-VALUE}.") long seed,
      @Option(names = "--name", description = "Display name; default the kind.") String name,
      @Option(names = "--weights", split = ",", paramLabel = "W", description = "True weights (linear); default 2,-3.4.") List<Double> weights,
      @Option(names = "--bias", description = "True bias (linear); default 4.2.") Double bias,
      @Option(names = "--noise", description = "Noise standard deviation.") Double noise,
      @Option(names = "--inputs", paramLabel = "N", description = "Number of inputs (weight-decay); default 200.") Integer inputs) {
    SyntheticSpec.Builder synthetic = SyntheticSpec.newBuilder();
    switch (kind) {
      case "linear" -> {
        LinearSyntheticSpec.Builder linear = LinearSyntheticSpec.newBuilder();
        if (weights != null) {
          linear.addAllWeights(weights);
        }
        if (bias != null) {
          linear.setBias(bias);
        }
        if (noise != null) {
          linear.setNoise(noise);
        }
        if (examples != null) {
          linear.setExampleCount(examples);
        }
        synthetic.setLinear(linear);
      }
      case "polynomial" -> {
        PolynomialSyntheticSpec.Builder polynomial = PolynomialSyntheticSpec.newBuilder();
        if (examples != null) {
          polynomial.setTrainCount(examples);
        }
        if (testExamples != null) {
          polynomial.setTestCount(testExamples);
        }
        if (noise != null) {
          polynomial.setNoise(noise);
        }
        synthetic.setPolynomial(polynomial);
      }
      case "weight-decay" -> {
        WeightDecaySyntheticSpec.Builder decay = WeightDecaySyntheticSpec.newBuilder();
        if (examples != null) {
          decay.setTrainCount(examples);
        }
        if (testExamples != null) {
          decay.setTestCount(testExamples);
        }
        if (inputs != null) {
          decay.setInputCount(inputs);
        }
        if (noise != null) {
          decay.setNoise(noise);
        }
        synthetic.setWeightDecay(decay);
      }
      default -> throw new CommandLine.ParameterException(
          spec.commandLine(), "KIND must be linear, polynomial or weight-decay, was '" + kind + "'");
    }
    CreateSyntheticDatasetResponse created =
        root.client().datasets().createSynthetic(name != null ? name : kind, synthetic.build(), seed);
    Printer printer = root.printer();
    if (printer.format() == OutputFormat.json) {
      printer.printJson(created);
    } else if (created.hasTestDataset()) {
      printer.datasets(List.of(created.getTrainDataset(), created.getTestDataset()));
    } else {
      printer.dataset(created.getTrainDataset());
    }
    return Trainerctl.EXIT_OK;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List data sets, newest first.")
  int list(@Option(names = "--page-size", defaultValue = "0", hidden = true) int pageSize) {
    List<Dataset> all = root.client().datasets().list(pageSize).toList();
    Printer printer = root.printer();
    if (printer.format() == OutputFormat.json) {
      printer.printJson(ListDatasetsResponse.newBuilder().addAllDatasets(all));
    } else {
      printer.datasets(all);
    }
    return Trainerctl.EXIT_OK;
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a data set.")
  int get(@Parameters(paramLabel = "NAME", description = "datasets/ID or ID.") String name) {
    root.printer().dataset(root.client().datasets().get(name));
    return Trainerctl.EXIT_OK;
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a data set.")
  int delete(@Parameters(paramLabel = "NAME", description = "datasets/ID or ID.") String name) {
    root.client().datasets().delete(name);
    if (root.output == OutputFormat.json) {
      root.out().println("{}");
    } else {
      root.out().println("deleted " + name);
    }
    root.out().flush();
    return Trainerctl.EXIT_OK;
  }
}
