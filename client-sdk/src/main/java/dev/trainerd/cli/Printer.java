package dev.trainerd.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.EpochMetrics;
import dev.trainerd.v1.EvaluationMetrics;
import dev.trainerd.v1.Model;
import dev.trainerd.v1.ParameterValue;
import dev.trainerd.v1.Precision;
import dev.trainerd.v1.Sweep;
import dev.trainerd.v1.Trial;
import dev.trainerd.v1.TrainingJob;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders resources as tables or canonical JSON. */
final class Printer {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  // Failed jobs carry google.rpc.Status details packed in Any; the printer must know their types.
  private static final JsonFormat.Printer JSON =
      JsonFormat.printer()
          .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder().add(ErrorInfo.getDescriptor()).add(BadRequest.getDescriptor()).build());

  private final PrintWriter out;
  private final OutputFormat format;

  Printer(PrintWriter out, OutputFormat format) {
    this.out = out;
    this.format = format;
  }

  OutputFormat format() {
    return format;
  }

  /** Canonical JSON of a message, pretty-printed. */
  static String json(MessageOrBuilder message) {
    try {
      return JSON.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON: " + e.getMessage(), e);
    }
  }

  /** Canonical JSON of a message on one line. */
  static String compactJson(MessageOrBuilder message) {
    try {
      return JSON.omittingInsignificantWhitespace().print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON: " + e.getMessage(), e);
    }
  }

  void printJson(MessageOrBuilder message) {
    out.println(json(message));
    out.flush();
  }

  void dataset(Dataset d) {
    if (format == OutputFormat.json) {
      printJson(d);
      return;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("name", d.getName());
    fields.put("display name", d.getDisplayName());
    fields.put("format", d.getFormat().name());
    fields.put("task", d.getTask().name());
    fields.put("examples", Long.toString(d.getExampleCount()));
    fields.put("features", Integer.toString(d.getFeatureCount()));
    if (d.getClassNamesCount() > 0) {
      fields.put("classes", String.join(", ", d.getClassNamesList()));
    }
    if (!d.getLabelColumn().isEmpty()) {
      fields.put("label column", d.getLabelColumn());
    }
    if (!d.getIdColumn().isEmpty()) {
      fields.put("id column", d.getIdColumn());
    }
    List<String> files = new ArrayList<>();
    d.getFilesList().forEach(f -> files.add(f.getFileName() + " (" + f.getSizeBytes() + " bytes)"));
    if (!files.isEmpty()) {
      fields.put("files", String.join(", ", files));
    }
    fields.put("size", d.getSizeBytes() + " bytes");
    fields.put("sha256", d.getSha256());
    fields.put("created", time(d.getCreateTime()));
    keyValues(fields);
  }

  void datasets(List<Dataset> list) {
    List<List<String>> rows = new ArrayList<>();
    for (Dataset d : list) {
      rows.add(
          List.of(
              d.getName(), d.getDisplayName(), d.getFormat().name(), d.getTask().name(),
              Long.toString(d.getExampleCount()), Integer.toString(d.getFeatureCount()), time(d.getCreateTime())));
    }
    table(List.of("NAME", "DISPLAY NAME", "FORMAT", "TASK", "EXAMPLES", "FEATURES", "CREATED"), rows);
  }

  void job(TrainingJob j) {
    if (format == OutputFormat.json) {
      printJson(j);
      return;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("name", j.getName());
    fields.put("display name", j.getDisplayName());
    fields.put("state", j.getState().name());
    fields.put("dataset", j.getSpec().getDataset());
    fields.put("model kind", j.getSpec().getModel().getKindCase().name().toLowerCase(Locale.ROOT));
    fields.put("precision", precision(j.getSpec().getPrecision()));
    fields.put("epochs", j.getEpochsCompleted() + "/" + j.getEpochsTotal());
    if (j.hasLatestEpoch()) {
      fields.put("latest epoch", epochSummary(j.getLatestEpoch()));
    }
    if (j.hasCrossValidation()) {
      fields.put("cross-validation", "train " + metrics(j.getCrossValidation().getMeanTrain())
          + "; validation " + metrics(j.getCrossValidation().getMeanValidation()));
    }
    if (!j.getModel().isEmpty()) {
      fields.put("model", j.getModel());
    }
    if (j.hasError()) {
      fields.put("error", j.getError().getMessage());
    }
    fields.put("created", time(j.getCreateTime()));
    if (j.hasEndTime()) {
      fields.put("ended", time(j.getEndTime()));
    }
    keyValues(fields);
  }

  void jobs(List<TrainingJob> list) {
    List<List<String>> rows = new ArrayList<>();
    for (TrainingJob j : list) {
      EpochMetrics e = j.getLatestEpoch();
      rows.add(
          List.of(
              j.getName(), j.getDisplayName(), j.getState().name(), j.getEpochsCompleted() + "/" + j.getEpochsTotal(),
              j.hasLatestEpoch() ? number(e.getTrain().getLoss()) : "",
              j.hasLatestEpoch() && e.hasEvaluation() ? metrics(e.getEvaluation()) : "",
              j.getModel()));
    }
    table(List.of("NAME", "DISPLAY NAME", "STATE", "EPOCHS", "TRAIN LOSS", "EVALUATION", "MODEL"), rows);
  }

  void sweep(Sweep sw) {
    if (format == OutputFormat.json) {
      printJson(sw);
      return;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("name", sw.getName());
    fields.put("display name", sw.getDisplayName());
    fields.put("state", sw.getState().name());
    fields.put("dataset", sw.getBaseSpec().getDataset());
    fields.put(
        "objective",
        sw.getObjective().getMetric().name().toLowerCase(Locale.ROOT) + " ("
            + sw.getObjective().getDirection().name().toLowerCase(Locale.ROOT) + ")");
    fields.put("trials", sw.getTrialsCount() + ", " + sw.getParallelism() + " at a time");
    if (sw.getBestTrial() > 0) {
      fields.put("best trial", Integer.toString(sw.getBestTrial()));
      fields.put("best model", sw.getBestModel());
    }
    if (sw.hasError()) {
      fields.put("error", sw.getError().getMessage());
    }
    fields.put("created", time(sw.getCreateTime()));
    if (sw.hasEndTime()) {
      fields.put("ended", time(sw.getEndTime()));
    }
    keyValues(fields);
    out.println();
    trials(sw.getTrialsList());
  }

  void trials(List<Trial> trials) {
    List<List<String>> rows = new ArrayList<>();
    for (Trial t : trials) {
      rows.add(
          List.of(
              t.getRank() > 0 ? Integer.toString(t.getRank()) : "-",
              Integer.toString(t.getTrial()),
              parameters(t),
              t.getState().name(),
              t.hasObjectiveValue() ? number(t.getObjectiveValue()) : "",
              Integer.toString(t.getEpochsCompleted()),
              t.getTrainingJob()));
    }
    table(List.of("RANK", "TRIAL", "PARAMETERS", "STATE", "OBJECTIVE", "EPOCHS", "JOB"), rows);
  }

  void sweeps(List<Sweep> list) {
    List<List<String>> rows = new ArrayList<>();
    for (Sweep sw : list) {
      long ended = sw.getTrialsList().stream().filter(t -> t.getState() != Trial.State.PENDING && t.getState() != Trial.State.RUNNING).count();
      rows.add(
          List.of(
              sw.getName(), sw.getDisplayName(), sw.getState().name(), ended + "/" + sw.getTrialsCount(),
              sw.getBestModel()));
    }
    table(List.of("NAME", "DISPLAY NAME", "STATE", "TRIALS DONE", "BEST MODEL"), rows);
  }

  /** A trial's parameters as {@code name=value, ...}. */
  static String parameters(Trial t) {
    StringBuilder s = new StringBuilder();
    for (ParameterValue p : t.getParametersList()) {
      s.append(s.length() == 0 ? "" : ", ").append(p.getName()).append('=').append(p.getValue());
    }
    return s.toString();
  }

  void model(Model m) {
    if (format == OutputFormat.json) {
      printJson(m);
      return;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("name", m.getName());
    fields.put("display name", m.getDisplayName());
    fields.put("training job", m.getTrainingJob());
    fields.put("model kind", m.getSpec().getModel().getKindCase().name().toLowerCase(Locale.ROOT));
    fields.put("features", Integer.toString(m.getFeatureCount()));
    fields.put("outputs", Integer.toString(m.getOutputCount()));
    if (m.getClassNamesCount() > 0) {
      fields.put("classes", String.join(", ", m.getClassNamesList()));
    }
    fields.put("epochs", Integer.toString(m.getHistoryCount()));
    if (m.hasFinalTrain()) {
      fields.put("final train", metrics(m.getFinalTrain()));
    }
    if (m.hasFinalEvaluation()) {
      fields.put("final evaluation", metrics(m.getFinalEvaluation()));
    }
    fields.put("seed", Long.toString(m.getProvenance().getSeed()));
    fields.put("device", m.getProvenance().getDevice().name());
    fields.put("precision", precision(m.getSpec().getPrecision()));
    for (var p : m.getParametersList()) {
      fields.put("parameter " + p.getName(), p.getShapeList() + " " + preview(p.getValuesList()));
    }
    fields.put("created", time(m.getCreateTime()));
    keyValues(fields);
  }

  void models(List<Model> list) {
    List<List<String>> rows = new ArrayList<>();
    for (Model m : list) {
      rows.add(
          List.of(
              m.getName(), m.getDisplayName(), m.getTrainingJob(),
              m.getSpec().getModel().getKindCase().name().toLowerCase(Locale.ROOT),
              m.hasFinalTrain() ? metrics(m.getFinalTrain()) : "",
              m.hasFinalEvaluation() ? metrics(m.getFinalEvaluation()) : "",
              time(m.getCreateTime())));
    }
    table(List.of("NAME", "DISPLAY NAME", "TRAINING JOB", "KIND", "FINAL TRAIN", "FINAL EVALUATION", "CREATED"), rows);
  }

  void evaluation(EvaluationMetrics metrics) {
    if (format == OutputFormat.json) {
      printJson(metrics);
      return;
    }
    out.println(metrics(metrics) + " on " + metrics.getExampleCount() + " examples");
    out.flush();
  }

  void line(String text) {
    out.println(text);
    out.flush();
  }

  /** One epoch in a line: train loss and accuracy, then the evaluation metrics. */
  static String epochSummary(EpochMetrics e) {
    StringBuilder s = new StringBuilder();
    if (e.getFold() > 0) {
      s.append("fold ").append(e.getFold()).append(' ');
    }
    s.append("epoch ").append(e.getEpoch()).append(": train ").append(metrics(e.getTrain()));
    if (e.hasEvaluation()) {
      s.append("; evaluation ").append(metrics(e.getEvaluation()));
    }
    return s.toString();
  }

  /** Loss and whichever of accuracy, RMSE and log RMSE apply. */
  static String metrics(EvaluationMetrics m) {
    StringBuilder s = new StringBuilder("loss ").append(number(m.getLoss()));
    if (m.hasAccuracy()) {
      s.append(" accuracy ").append(number(m.getAccuracy()));
    }
    if (m.hasRmse()) {
      s.append(" rmse ").append(number(m.getRmse()));
    }
    if (m.hasLogRmse()) {
      s.append(" log-rmse ").append(number(m.getLogRmse()));
    }
    return s.toString();
  }

  static String number(double v) {
    double a = Math.abs(v);
    return a != 0 && (a >= 1e6 || a < 1e-3) ? String.format(Locale.ROOT, "%.4g", v) : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String preview(List<Float> values) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < Math.min(values.size(), 5); i++) {
      s.append(i == 0 ? "" : ", ").append(number(values.get(i)));
    }
    return s.append(values.size() > 5 ? ", ... (" + values.size() + " values)]" : "]").toString();
  }

  /** As the {@code --precision} flag spells it; a server without the field trains in float32. */
  private static String precision(Precision p) {
    return p == Precision.PRECISION_MIXED_BFLOAT16 ? "mixed-bfloat16" : "float32";
  }

  private static String time(Timestamp t) {
    if (t.getSeconds() == 0 && t.getNanos() == 0) {
      return "";
    }
    return TIME.format(Instant.ofEpochSecond(t.getSeconds(), t.getNanos()));
  }

  private void keyValues(Map<String, String> fields) {
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
    fields.forEach((k, v) -> out.println(k + ":" + " ".repeat(width - k.length() + 1) + v));
    out.flush();
  }

  private void table(List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      widths[i] = header.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }
}
