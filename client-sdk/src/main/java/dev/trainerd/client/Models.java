package dev.trainerd.client;

import dev.trainerd.v1.BatchPredictRequest;
import dev.trainerd.v1.BatchPredictResponse;
import dev.trainerd.v1.BatchPrediction;
import dev.trainerd.v1.DeleteModelRequest;
import dev.trainerd.v1.EvaluateModelRequest;
import dev.trainerd.v1.EvaluationMetrics;
import dev.trainerd.v1.ExportModelRequest;
import dev.trainerd.v1.ExportModelResponse;
import dev.trainerd.v1.FeatureVector;
import dev.trainerd.v1.GetModelRequest;
import dev.trainerd.v1.ListModelsRequest;
import dev.trainerd.v1.ListModelsResponse;
import dev.trainerd.v1.Model;
import dev.trainerd.v1.ModelServiceGrpc;
import dev.trainerd.v1.ModelView;
import dev.trainerd.v1.Parameter;
import dev.trainerd.v1.PredictRequest;
import dev.trainerd.v1.Prediction;
import dev.trainerd.v1.PredictionInput;
import dev.trainerd.v1.RawRow;
import io.grpc.Context;
import io.grpc.Status;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Trained models: get, parameters, list, delete, predict, batch predict to CSV, evaluate and
 * export. Names may be given as {@code models/{id}} or as the bare id.
 */
public final class Models {
  private final CallSettings settings;

  Models(CallSettings settings) {
    this.settings = settings;
  }

  /** Gets a model without its parameters (BASIC view). */
  public Model get(String name) {
    return get(name, ModelView.BASIC);
  }

  /** Gets a model in the given view (FULL adds the learned parameters). */
  public Model get(String name, ModelView view) {
    GetModelRequest request = GetModelRequest.newBuilder().setName(ResourceNames.model(name)).setView(view).build();
    return Calls.call(() -> settings.unary(ModelServiceGrpc.newBlockingStub(settings.channel())).getModel(request));
  }

  /** The learned parameters (e.g. {@code dense0/weight}, {@code dense0/bias}), row-major. */
  public List<Parameter> parameters(String name) {
    return get(name, ModelView.FULL).getParametersList();
  }

  /** Every model, newest first, paged lazily. */
  public PagedIterable<Model> list() {
    return list(0);
  }

  /** Every model, {@code pageSize} per page (0: 50). */
  public PagedIterable<Model> list(int pageSize) {
    return new PagedIterable<>(
        token -> {
          ListModelsRequest request = ListModelsRequest.newBuilder().setPageSize(pageSize).setPageToken(token).build();
          ListModelsResponse page =
              Calls.call(() -> settings.unary(ModelServiceGrpc.newBlockingStub(settings.channel())).listModels(request));
          return new PagedIterable.Page<>(page.getModelsList(), page.getNextPageToken());
        });
  }

  /** Deletes a model. */
  public void delete(String name) {
    DeleteModelRequest request = DeleteModelRequest.newBuilder().setName(ResourceNames.model(name)).build();
    Calls.call(() -> settings.unary(ModelServiceGrpc.newBlockingStub(settings.channel())).deleteModel(request));
  }

  /**
   * Predicts feature rows (after preprocessing: {@code feature_count} values each; pixels in
   * [0, 1] for images). One prediction per row, in order.
   */
  public List<Prediction> predict(String name, List<float[]> rows) {
    PredictRequest.Builder request = PredictRequest.newBuilder().setName(ResourceNames.model(name));
    for (float[] row : rows) {
      FeatureVector.Builder features = FeatureVector.newBuilder();
      for (float v : row) {
        features.addValues(v);
      }
      request.addInputs(PredictionInput.newBuilder().setFeatures(features));
    }
    return predict(request.build());
  }

  /**
   * Predicts raw tabular rows (column name to the value as in the CSV); the model's stored
   * preprocessing is applied and missing columns count as missing values.
   */
  public List<Prediction> predictRaw(String name, List<Map<String, String>> rows) {
    PredictRequest.Builder request = PredictRequest.newBuilder().setName(ResourceNames.model(name));
    for (Map<String, String> row : rows) {
      request.addInputs(PredictionInput.newBuilder().setRaw(RawRow.newBuilder().putAllValues(row)));
    }
    return predict(request.build());
  }

  /** Predicts from a full request. */
  public List<Prediction> predict(PredictRequest request) {
    return Calls.call(() -> settings.unary(ModelServiceGrpc.newBlockingStub(settings.channel())).predict(request))
        .getPredictionsList();
  }

  /**
   * Predicts every example of a stored data set into a CSV file ready for submission: the
   * header the server sends (e.g. {@code Id,SalePrice}), then one row per example in data-set
   * order with the id and the predicted value (regression) or class name (classification). The
   * file appears only when complete.
   *
   * @return the number of rows written, without the header
   * @throws TrainerException when the call fails or the file cannot be written
   */
  public long batchPredict(String name, String dataset, Path csv) {
    BatchPredictRequest request =
        BatchPredictRequest.newBuilder().setName(ResourceNames.model(name)).setDataset(ResourceNames.dataset(dataset)).build();
    Path partial = sibling(csv, ".partial");
    Context.CancellableContext context = Context.current().withCancellation();
    Context previous = context.attach();
    try {
      long rows;
      try (Writer out = new BufferedWriter(Files.newBufferedWriter(partial, StandardCharsets.UTF_8))) {
        rows = writeCsv(settings.streaming(ModelServiceGrpc.newBlockingStub(settings.channel())).batchPredict(request), out);
      }
      Files.move(partial, csv, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return rows;
    } catch (IOException e) {
      throw new TrainerException(
          Status.Code.INTERNAL, "WRITE_FAILED", "cannot write " + csv + ": " + e.getMessage(), List.of(), e);
    } catch (RuntimeException e) {
      throw TrainerException.from(e);
    } finally {
      context.detach(previous);
      context.cancel(null);
      deleteQuietly(partial);
    }
  }

  private static long writeCsv(Iterator<BatchPredictResponse> pages, Writer out) throws IOException {
    long rows = 0;
    boolean header = false;
    while (pages.hasNext()) {
      BatchPredictResponse page = pages.next();
      if (!header && page.getHeaderCount() > 0) {
        writeRow(out, page.getHeaderList());
        header = true;
      }
      for (BatchPrediction row : page.getRowsList()) {
        writeRow(out, List.of(row.getId(), predictedValue(row.getPrediction())));
        rows++;
      }
    }
    return rows;
  }

  /** The CSV cell of a prediction: the class name for classification, else the value. */
  static String predictedValue(Prediction p) {
    if (!p.getPredictedLabel().isEmpty()) {
      return p.getPredictedLabel();
    }
    return Double.toString(p.getValue());
  }

  private static void writeRow(Writer out, List<String> cells) throws IOException {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.write(csvCell(cells.get(i)));
    }
    out.write('\n');
  }

  /** RFC 4180 quoting, only where needed. */
  static String csvCell(String value) {
    if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      return value;
    }
    return '"' + value.replace("\"", "\"\"") + '"';
  }

  /** Evaluates the model on a labelled data set of the same layout. */
  public EvaluationMetrics evaluate(String name, String dataset) {
    EvaluateModelRequest request =
        EvaluateModelRequest.newBuilder().setName(ResourceNames.model(name)).setDataset(ResourceNames.dataset(dataset)).build();
    return Calls.call(() -> settings.unary(ModelServiceGrpc.newBlockingStub(settings.channel())).evaluateModel(request));
  }

  /**
   * Downloads the model as a zipped TensorFlow SavedModel. When {@code target} is an existing
   * directory the server's file name (e.g. {@code model-abc.zip}) is used inside it. The file
   * appears only when complete.
   *
   * @return the file written
   */
  public Path export(String name, Path target) {
    ExportModelRequest request = ExportModelRequest.newBuilder().setName(ResourceNames.model(name)).build();
    Path directory = Files.isDirectory(target) ? target : target.toAbsolutePath().getParent();
    Path partial = null;
    Context.CancellableContext context = Context.current().withCancellation();
    Context previous = context.attach();
    try {
      partial = Files.createTempFile(directory, ".export-", ".partial");
      String fileName = null;
      try (OutputStream out = Files.newOutputStream(partial)) {
        Iterator<ExportModelResponse> chunks =
            settings.streaming(ModelServiceGrpc.newBlockingStub(settings.channel())).exportModel(request);
        while (chunks.hasNext()) {
          ExportModelResponse chunk = chunks.next();
          if (fileName == null && !chunk.getFileName().isEmpty()) {
            fileName = chunk.getFileName();
          }
          chunk.getData().writeTo(out);
        }
      }
      Path destination =
          Files.isDirectory(target)
              ? target.resolve(fileName == null ? ResourceNames.model(name).replace('/', '-') + ".zip" : Path.of(fileName).getFileName().toString())
              : target;
      Files.move(partial, destination, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return destination;
    } catch (IOException e) {
      throw new TrainerException(
          Status.Code.INTERNAL, "WRITE_FAILED", "cannot write " + target + ": " + e.getMessage(), List.of(), e);
    } catch (RuntimeException e) {
      throw TrainerException.from(e);
    } finally {
      context.detach(previous);
      context.cancel(null);
      if (partial != null) {
        deleteQuietly(partial);
      }
    }
  }

  private static Path sibling(Path file, String suffix) {
    Path absolute = file.toAbsolutePath();
    return absolute.resolveSibling(absolute.getFileName() + suffix);
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Best effort: a leftover partial file is harmless and named as such.
    }
  }
}
