package dev.trainerd.models;

import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.DatasetPreparer;
import dev.trainerd.data.prep.Preprocessor;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.Page;
import dev.trainerd.ml.EvaluationMetrics;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Trainer;
import dev.trainerd.store.AtomicFiles;
import dev.trainerd.store.DatasetStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The model API in plain Java: lookups, predictions on given rows or stored data sets, evaluation
 * and SavedModel export. Loaded predictors are cached; the index of models is kept in memory.
 */
public final class ModelService implements AutoCloseable {
  /** Rows predicted per engine call in batch prediction. */
  static final int BATCH_ROWS = 4096;
  /** Most inputs accepted by one Predict call. */
  public static final int MAX_PREDICT_INPUTS = 10_000;

  private final ModelRepository repository;
  private final DatasetStore datasets;
  private final Trainer trainer;
  private final PredictorCache predictors;
  private final DatasetPreparer preparer = new DatasetPreparer();
  private final Map<String, ModelRecord> index = new HashMap<>();

  public ModelService(ModelRepository repository, DatasetStore datasets, Trainer trainer, int cachedPredictors) {
    this.repository = repository;
    this.datasets = datasets;
    this.trainer = trainer;
    this.predictors = new PredictorCache(cachedPredictors);
    if (!repository.shared()) {
      for (ModelRecord m : repository.loadAll()) {
        index.put(m.id(), m);
      }
    }
  }

  /** Stores a newly trained model durably and makes it visible. */
  public void save(ModelRecord model) {
    synchronized (index) {
      repository.save(model);
      index.put(model.id(), model);
    }
  }

  /** The model, or NOT_FOUND. */
  public ModelRecord get(String id) {
    synchronized (index) {
      ModelRecord m = index.get(id);
      if (m != null && repository.shared() && !repository.exists(id)) {
        // Another replica deleted it; models never change, so a present one is current.
        index.remove(id);
        predictors.invalidate(id);
        m = null;
      }
      if (m == null) {
        m = repository.find(id).orElse(null);
        if (m == null) {
          throw new TrainerdException.NotFound("MODEL_NOT_FOUND", "models/" + id + " does not exist");
        }
        index.put(id, m);
      }
      return m;
    }
  }

  /** A page of models, newest first. */
  public Page<ModelRecord> list(int pageSize, String pageToken) {
    List<ModelRecord> all;
    if (repository.shared()) {
      // Models of every replica: the index caches the records (they never change) but not the list.
      List<String> ids = repository.ids();
      all = new ArrayList<>();
      for (String id : ids) {
        ModelRecord m;
        synchronized (index) {
          m = index.get(id);
        }
        if (m == null) {
          m = repository.find(id).orElse(null);
          if (m == null) {
            continue;
          }
          synchronized (index) {
            index.put(id, m);
          }
        }
        all.add(m);
      }
    } else {
      synchronized (index) {
        all = new ArrayList<>(index.values());
      }
    }
    return Page.of(all, m -> new Page.Key(m.createTime(), m.id()), pageSize, pageToken, "");
  }

  /** Deletes a model. */
  public void delete(String id) {
    get(id);
    synchronized (index) {
      repository.delete(id);
      index.remove(id);
    }
    predictors.invalidate(id);
  }

  /** Predicts the given inputs, in order. */
  public List<Prediction> predict(String id, List<PredictionInput> inputs) {
    ModelRecord model = get(id);
    if (inputs.isEmpty() || inputs.size() > MAX_PREDICT_INPUTS) {
      throw TrainerdException.InvalidArgument.of(
          "inputs", "must hold 1 to " + MAX_PREDICT_INPUTS + " inputs, had " + inputs.size());
    }
    int d = model.trained().featureCount();
    float[] features = new float[inputs.size() * d];
    List<Map<String, String>> raw = new ArrayList<>();
    List<Integer> rawAt = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      PredictionInput in = inputs.get(i);
      if (in instanceof PredictionInput.Features f) {
        if (f.values().length != d) {
          throw TrainerdException.InvalidArgument.of(
              "inputs[" + i + "].features.values",
              "must hold the model's " + d + " features, had " + f.values().length);
        }
        System.arraycopy(f.values(), 0, features, i * d, d);
      } else if (in instanceof PredictionInput.Raw r) {
        raw.add(r.values());
        rawAt.add(i);
      }
    }
    if (!raw.isEmpty()) {
      if (model.preprocessorJson().isEmpty()) {
        throw TrainerdException.InvalidArgument.of(
            "inputs[" + rawAt.get(0) + "].raw", "this model was not trained on tabular data; send features");
      }
      float[] transformed = Preprocessor.fromJson(model.preprocessorJson().get()).transformRows(raw);
      for (int j = 0; j < rawAt.size(); j++) {
        System.arraycopy(transformed, j * d, features, rawAt.get(j) * d, d);
      }
    }
    return toPredictions(model, run(model, features, inputs.size()), inputs.size());
  }

  /** Predicts every example of a stored data set, handing rows to {@code sink} in chunks. */
  public void batchPredict(String id, String datasetId, Consumer<List<BatchRow>> sink) {
    ModelRecord model = get(id);
    Inputs in = inputs(model, datasetId);
    int d = model.trained().featureCount();
    for (int start = 0; start < in.examples().count(); start += BATCH_ROWS) {
      int n = Math.min(BATCH_ROWS, in.examples().count() - start);
      float[] chunk = new float[n * d];
      in.examples().copyRows(start, n, chunk, 0);
      List<Prediction> predictions = toPredictions(model, run(model, chunk, n), n);
      List<BatchRow> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String rowId = in.ids().isEmpty() ? Integer.toString(start + i) : in.ids().get(start + i);
        rows.add(new BatchRow(rowId, predictions.get(i)));
      }
      sink.accept(rows);
    }
  }

  /** Evaluates the model on a stored labelled data set. */
  public EvaluationMetrics evaluate(String id, String datasetId) {
    ModelRecord model = get(id);
    Inputs in = inputs(model, datasetId);
    if (in.examples().labels() instanceof Examples.Labels.None) {
      throw new TrainerdException.FailedPrecondition(
          "DATASET_UNLABELLED", "datasets/" + datasetId + " has no labels to evaluate against");
    }
    return predictors.with(id, () -> trainer.predictor(model.trained()), p -> p.evaluate(in.examples()));
  }

  /** Writes a zip of the model's SavedModel to {@code out}. */
  public void export(String id, OutputStream out) {
    ModelRecord model = get(id);
    Path dir = null;
    try {
      dir = Files.createTempDirectory("trainerd-export-");
      Path saved = dir.resolve("saved_model");
      trainer.exportSavedModel(model.trained(), saved);
      try (ZipOutputStream zip = new ZipOutputStream(out); Stream<Path> files = Files.walk(saved)) {
        for (Path f : files.sorted().toList()) {
          String entry = saved.relativize(f).toString().replace('\\', '/');
          if (entry.isEmpty()) {
            continue;
          }
          if (Files.isDirectory(f)) {
            zip.putNextEntry(new ZipEntry(entry + "/"));
          } else {
            zip.putNextEntry(new ZipEntry(entry));
            Files.copy(f, zip);
          }
          zip.closeEntry();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (dir != null) {
        try {
          AtomicFiles.deleteRecursively(dir);
        } catch (IOException ignored) {
          // A leftover temporary directory is harmless.
        }
      }
    }
  }

  @Override
  public void close() {
    predictors.close();
  }

  private float[] run(ModelRecord model, float[] features, int count) {
    return predictors.with(model.id(), () -> trainer.predictor(model.trained()), p -> p.predict(features, count));
  }

  private static List<Prediction> toPredictions(ModelRecord model, float[] outputs, int count) {
    int k = model.trained().outputCount();
    boolean classes = model.trained().classLabels();
    List<Prediction> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      float[] row = new float[k];
      System.arraycopy(outputs, i * k, row, 0, k);
      if (!classes) {
        out.add(new Prediction(row, -1, "", row[0]));
        continue;
      }
      int best = 0;
      if (k == 1) {
        best = row[0] > 0.5f ? 1 : 0;
      } else {
        for (int c = 1; c < k; c++) {
          if (row[c] > row[best]) {
            best = c;
          }
        }
      }
      String label = best < model.classNames().size() ? model.classNames().get(best) : Integer.toString(best);
      out.add(new Prediction(row, best, label, Double.NaN));
    }
    return out;
  }

  /** A data set turned into the model's inputs, with its id column. */
  private record Inputs(Examples examples, List<String> ids) {}

  private Inputs inputs(ModelRecord model, String datasetId) {
    LoadedDataset loaded = datasets.load(datasetId);
    Examples examples;
    try {
      examples =
          preparer.examplesFor(
              loaded,
              model.preprocessorJson().map(Preprocessor::fromJson),
              model.trained().featureCount(),
              model.classNames());
    } catch (TrainerdException.InvalidArgument e) {
      throw new TrainerdException.FailedPrecondition(
          "DATASET_MISMATCH", "datasets/" + datasetId + " does not fit models/" + model.id() + ": " + e.getMessage());
    }
    List<String> ids = loaded instanceof LoadedDataset.Tabular tab ? tab.table().ids() : List.of();
    return new Inputs(examples, ids);
  }

  /**
   * One batch prediction.
   *
   * @param id the example's id column value, or its 0-based index
   * @param prediction what the model says
   */
  public record BatchRow(String id, Prediction prediction) {}
}
