package dev.trainerd.cli;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.trainerd.v1.ListModelsResponse;
import dev.trainerd.v1.Model;
import dev.trainerd.v1.ModelView;
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

/** {@code trainerctl models ...}: list, get, predict, evaluate, export, delete. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List, show, predict with, evaluate, export and delete models.")
final class ModelsCommand implements Callable<Integer> {
  @ParentCommand Trainerctl root;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing required subcommand: list, get, predict, evaluate, export or delete");
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List models, newest first.")
  int list(@Option(names = "--page-size", defaultValue = "0", hidden = true) int pageSize) {
    List<Model> all = root.client().models().list(pageSize).toList();
    Printer printer = root.printer();
    if (printer.format() == OutputFormat.json) {
      printer.printJson(ListModelsResponse.newBuilder().addAllModels(all));
    } else {
      printer.models(all);
    }
    return Trainerctl.EXIT_OK;
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a model.")
  int get(
      @Parameters(paramLabel = "ID", description = "models/ID or ID.") String id,
      @Option(names = "--parameters", description = "Include the learned parameters (FULL view).") boolean parameters) {
    root.printer().model(root.client().models().get(id, parameters ? ModelView.FULL : ModelView.BASIC));
    return Trainerctl.EXIT_OK;
  }

  @Command(
      name = "predict",
      mixinStandardHelpOptions = true,
      description = "Predict every example of a data set into a CSV (id column and prediction, e.g. Id,SalePrice).")
  int predict(
      @Parameters(paramLabel = "ID", description = "models/ID or ID.") String id,
      @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "Data set to predict.") String dataset,
      @Option(names = "--out", required = true, paramLabel = "FILE.csv", description = "CSV to write.") Path csv) {
    long rows = root.client().models().batchPredict(id, dataset, csv);
    report(csv, "rows", rows, "wrote " + rows + " predictions to " + csv);
    return Trainerctl.EXIT_OK;
  }

  @Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Evaluate a model on a labelled data set.")
  int evaluate(
      @Parameters(paramLabel = "ID", description = "models/ID or ID.") String id,
      @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "Labelled data set.") String dataset) {
    root.printer().evaluation(root.client().models().evaluate(id, dataset));
    return Trainerctl.EXIT_OK;
  }

  @Command(name = "export", mixinStandardHelpOptions = true, description = "Download the model as a zipped TensorFlow SavedModel.")
  int export(
      @Parameters(paramLabel = "ID", description = "models/ID or ID.") String id,
      @Option(names = "--out", required = true, paramLabel = "FILE.zip", description = "Zip to write (or a directory).") Path zip) {
    Path written = root.client().models().export(id, zip);
    report(written, "bytes", written.toFile().length(), "wrote " + written + " (" + written.toFile().length() + " bytes)");
    return Trainerctl.EXIT_OK;
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a model.")
  int delete(@Parameters(paramLabel = "ID", description = "models/ID or ID.") String id) {
    root.client().models().delete(id);
    report(null, null, 0, "deleted " + id);
    return Trainerctl.EXIT_OK;
  }

  private void report(Path file, String countName, long count, String line) {
    if (root.output == OutputFormat.json) {
      Struct.Builder doc = Struct.newBuilder();
      if (file != null) {
        doc.putFields("file", Value.newBuilder().setStringValue(file.toString()).build());
        doc.putFields(countName, Value.newBuilder().setNumberValue(count).build());
      }
      root.printer().printJson(doc);
    } else {
      root.printer().line(line);
    }
  }
}
