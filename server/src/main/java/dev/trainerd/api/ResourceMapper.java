package dev.trainerd.api;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.trainerd.jobs.CrossValidationSummary;
import dev.trainerd.jobs.FoldResult;
import dev.trainerd.jobs.JobEvent;
import dev.trainerd.jobs.JobFailure;
import dev.trainerd.jobs.JobState;
import dev.trainerd.jobs.TrainingJobRecord;
import dev.trainerd.ml.EpochMetrics;
import dev.trainerd.ml.EvaluationMetrics;
import dev.trainerd.ml.Parameter;
import dev.trainerd.ml.TrainedModel;
import dev.trainerd.models.ModelRecord;
import dev.trainerd.models.Provenance;
import dev.trainerd.v1.CrossValidationResult;
import dev.trainerd.v1.Model;
import dev.trainerd.v1.ModelView;
import dev.trainerd.v1.StateChange;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import com.google.rpc.Code;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Maps jobs, events, models and metrics between the domain and the API's messages. */
public final class ResourceMapper {
  private final SpecMapper specs;

  public ResourceMapper(SpecMapper specs) {
    this.specs = specs;
  }

  // ---- jobs

  public TrainingJob toProto(TrainingJobRecord job) {
    TrainingJob.Builder out =
        TrainingJob.newBuilder()
            .setName(Names.TRAINING_JOBS.format(job.id()))
            .setDisplayName(job.displayName())
            .setSpec(specs.toProto(job.spec()))
            .setState(TrainingJob.State.valueOf(job.state().name()))
            .setCreateTime(timestamp(job.createTime()))
            .setEpochsCompleted(job.epochsCompleted())
            .setEpochsTotal(job.epochsTotal())
            .setRequestId(job.requestId());
    job.startTime().ifPresent(t -> out.setStartTime(timestamp(t)));
    job.endTime().ifPresent(t -> out.setEndTime(timestamp(t)));
    job.latestEpoch().ifPresent(e -> out.setLatestEpoch(toProto(e)));
    job.crossValidation().ifPresent(cv -> out.setCrossValidation(toProto(cv)));
    job.modelId().ifPresent(m -> out.setModel(Names.MODELS.format(m)));
    job.failure().ifPresent(f -> out.setError(toStatus(f)));
    return out.build();
  }

  public TrainingJobRecord toDomain(TrainingJob job) {
    return new TrainingJobRecord(
        Names.TRAINING_JOBS.parse(job.getName(), "name"),
        job.getDisplayName(),
        specs.toDomainResolved(job.getSpec()),
        JobState.valueOf(job.getState().name()),
        instant(job.getCreateTime()),
        job.hasStartTime() ? Optional.of(instant(job.getStartTime())) : Optional.empty(),
        job.hasEndTime() ? Optional.of(instant(job.getEndTime())) : Optional.empty(),
        job.getEpochsCompleted(),
        job.hasLatestEpoch() ? Optional.of(toDomain(job.getLatestEpoch())) : Optional.empty(),
        job.hasCrossValidation() ? Optional.of(toDomain(job.getCrossValidation())) : Optional.empty(),
        job.getModel().isEmpty() ? Optional.empty() : Optional.of(Names.MODELS.parse(job.getModel(), "model")),
        job.hasError() ? Optional.of(toFailure(job.getError())) : Optional.empty(),
        job.getRequestId());
  }

  public TrainingJobEvent toProto(JobEvent event) {
    TrainingJobEvent.Builder out =
        TrainingJobEvent.newBuilder().setSequence(event.sequence()).setTime(timestamp(event.time()));
    if (event instanceof JobEvent.StateChanged s) {
      out.setStateChange(
          StateChange.newBuilder()
              .setState(TrainingJob.State.valueOf(s.job().state().name()))
              .setJob(toProto(s.job())));
    } else if (event instanceof JobEvent.EpochFinished e) {
      out.setEpoch(toProto(e.metrics()));
    } else if (event instanceof JobEvent.FoldFinished f) {
      out.setFold(toProto(f.fold()));
    }
    return out.build();
  }

  public JobEvent toDomain(TrainingJobEvent event) {
    Instant time = instant(event.getTime());
    return switch (event.getKindCase()) {
      case STATE_CHANGE -> new JobEvent.StateChanged(event.getSequence(), time, toDomain(event.getStateChange().getJob()));
      case EPOCH -> new JobEvent.EpochFinished(event.getSequence(), time, toDomain(event.getEpoch()));
      case FOLD -> new JobEvent.FoldFinished(event.getSequence(), time, toDomain(event.getFold()));
      case KIND_NOT_SET -> throw new IllegalArgumentException("stored event " + event.getSequence() + " is empty");
    };
  }

  static com.google.rpc.Status toStatus(JobFailure failure) {
    Code code;
    try {
      code = Code.valueOf(failure.code());
    } catch (IllegalArgumentException e) {
      code = Code.INTERNAL;
    }
    return ErrorMapper.status(code, failure.reason(), failure.message(), List.of());
  }

  static JobFailure toFailure(com.google.rpc.Status status) {
    String reason = "";
    for (com.google.protobuf.Any detail : status.getDetailsList()) {
      if (detail.is(com.google.rpc.ErrorInfo.class)) {
        try {
          reason = detail.unpack(com.google.rpc.ErrorInfo.class).getReason();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          reason = "";
        }
      }
    }
    Code code = Code.forNumber(status.getCode());
    return new JobFailure(code == null ? "INTERNAL" : code.name(), reason, status.getMessage());
  }

  // ---- metrics

  public dev.trainerd.v1.EvaluationMetrics toProto(EvaluationMetrics m) {
    dev.trainerd.v1.EvaluationMetrics.Builder out =
        dev.trainerd.v1.EvaluationMetrics.newBuilder().setLoss(m.loss()).setExampleCount(m.count());
    if (!Double.isNaN(m.accuracy())) {
      out.setAccuracy(m.accuracy());
    }
    if (!Double.isNaN(m.rmse())) {
      out.setRmse(m.rmse());
    }
    if (!Double.isNaN(m.logRmse())) {
      out.setLogRmse(m.logRmse());
    }
    return out.build();
  }

  public EvaluationMetrics toDomain(dev.trainerd.v1.EvaluationMetrics m) {
    return new EvaluationMetrics(
        m.getExampleCount(),
        m.getLoss(),
        m.hasAccuracy() ? m.getAccuracy() : Double.NaN,
        m.hasRmse() ? m.getRmse() : Double.NaN,
        m.hasLogRmse() ? m.getLogRmse() : Double.NaN);
  }

  public dev.trainerd.v1.EpochMetrics toProto(EpochMetrics e) {
    long seen = Math.round(e.examplesPerSecond() * e.durationSeconds());
    dev.trainerd.v1.EpochMetrics.Builder out =
        dev.trainerd.v1.EpochMetrics.newBuilder()
            .setEpoch(e.epoch())
            // The engine counts folds from 0; the API from 1, keeping 0 for the final model.
            .setFold(e.fold().isPresent() ? e.fold().getAsInt() + 1 : 0)
            .setTrain(toProto(new EvaluationMetrics(seen, e.trainLoss(), e.trainAccuracy(), e.trainRmse(), e.trainLogRmse())))
            .setWeightL2Norm(e.weightL2Norm())
            .setDuration(duration(e.durationSeconds()))
            .setExamplesPerSecond(e.examplesPerSecond());
    e.evaluation().ifPresent(m -> out.setEvaluation(toProto(m)));
    return out.build();
  }

  public EpochMetrics toDomain(dev.trainerd.v1.EpochMetrics e) {
    EvaluationMetrics train = toDomain(e.getTrain());
    return new EpochMetrics(
        e.getEpoch(),
        e.getFold() == 0 ? OptionalInt.empty() : OptionalInt.of(e.getFold() - 1),
        train.loss(),
        train.accuracy(),
        train.rmse(),
        train.logRmse(),
        e.hasEvaluation() ? Optional.of(toDomain(e.getEvaluation())) : Optional.empty(),
        e.getWeightL2Norm(),
        e.getDuration().getSeconds() + e.getDuration().getNanos() / 1e9,
        e.getExamplesPerSecond());
  }

  public dev.trainerd.v1.FoldResult toProto(FoldResult f) {
    return dev.trainerd.v1.FoldResult.newBuilder()
        .setFold(f.fold())
        .setTrain(toProto(f.train()))
        .setValidation(toProto(f.validation()))
        .build();
  }

  public FoldResult toDomain(dev.trainerd.v1.FoldResult f) {
    return new FoldResult(f.getFold(), toDomain(f.getTrain()), toDomain(f.getValidation()));
  }

  public CrossValidationResult toProto(CrossValidationSummary cv) {
    CrossValidationResult.Builder out =
        CrossValidationResult.newBuilder()
            .setMeanTrain(toProto(cv.meanTrain()))
            .setMeanValidation(toProto(cv.meanValidation()));
    cv.folds().forEach(f -> out.addFolds(toProto(f)));
    return out.build();
  }

  public CrossValidationSummary toDomain(CrossValidationResult cv) {
    List<FoldResult> folds = new ArrayList<>();
    cv.getFoldsList().forEach(f -> folds.add(toDomain(f)));
    return new CrossValidationSummary(folds, toDomain(cv.getMeanTrain()), toDomain(cv.getMeanValidation()));
  }

  // ---- models

  public Model toProto(ModelRecord model, ModelView view) {
    TrainedModel t = model.trained();
    Provenance p = model.provenance();
    Model.Builder out =
        Model.newBuilder()
            .setName(Names.MODELS.format(model.id()))
            .setDisplayName(model.displayName())
            .setTrainingJob(Names.TRAINING_JOBS.format(model.jobId()))
            .setSpec(specs.toProto(model.spec()))
            .setFeatureCount(t.featureCount())
            .setOutputCount(t.outputCount())
            .setClassCount(t.classCount())
            .addAllClassNames(model.classNames())
            .addAllFeatureNames(model.featureNames())
            .setFinalTrain(toProto(t.finalTrain()))
            .setCreateTime(timestamp(model.createTime()))
            .setIdColumn(model.idColumn())
            .setLabelColumn(model.labelColumn())
            .setProvenance(
                dev.trainerd.v1.Provenance.newBuilder()
                    .setDataset(Names.DATASETS.format(p.datasetId()))
                    .setDatasetSha256(p.datasetSha256())
                    .setTestDatasetSha256(p.testDatasetSha256().orElse(""))
                    .setSeed(p.seed())
                    .setTrainerdVersion(p.trainerdVersion())
                    .setTensorflowVersion(p.tensorflowVersion())
                    .setJavaVersion(p.javaVersion())
                    .setDevice(dev.trainerd.v1.Device.valueOf(p.device().name())));
    t.history().forEach(e -> out.addHistory(toProto(e)));
    t.finalEvaluation().ifPresent(m -> out.setFinalEvaluation(toProto(m)));
    model.crossValidation().ifPresent(cv -> out.setCrossValidation(toProto(cv)));
    if (view == ModelView.FULL) {
      for (Parameter param : t.parameters()) {
        dev.trainerd.v1.Parameter.Builder pb = dev.trainerd.v1.Parameter.newBuilder().setName(param.name());
        for (long d : param.shape()) {
          pb.addShape(d);
        }
        float[] values = param.values();
        for (float v : values) {
          pb.addValues(v);
        }
        out.addParameters(pb);
      }
    }
    return out.build();
  }

  /** Rebuilds a stored model (FULL view) plus its preprocessing. */
  public ModelRecord toDomain(Model model, Optional<String> preprocessorJson) {
    dev.trainerd.jobs.JobSpec spec = specs.toDomainResolved(model.getSpec());
    List<Parameter> params = new ArrayList<>();
    for (dev.trainerd.v1.Parameter p : model.getParametersList()) {
      long[] shape = p.getShapeList().stream().mapToLong(Long::longValue).toArray();
      float[] values = new float[p.getValuesCount()];
      for (int i = 0; i < values.length; i++) {
        values[i] = p.getValues(i);
      }
      params.add(new Parameter(p.getName(), shape, values));
    }
    List<EpochMetrics> history = new ArrayList<>();
    model.getHistoryList().forEach(e -> history.add(toDomain(e)));
    TrainedModel trained =
        new TrainedModel(
            spec.training(),
            model.getFeatureCount(),
            model.getOutputCount(),
            model.getClassCount(),
            params,
            history,
            toDomain(model.getFinalTrain()),
            model.hasFinalEvaluation() ? Optional.of(toDomain(model.getFinalEvaluation())) : Optional.empty());
    dev.trainerd.v1.Provenance p = model.getProvenance();
    return new ModelRecord(
        Names.MODELS.parse(model.getName(), "name"),
        model.getDisplayName(),
        Names.TRAINING_JOBS.parse(model.getTrainingJob(), "training_job"),
        spec,
        trained,
        model.hasCrossValidation() ? Optional.of(toDomain(model.getCrossValidation())) : Optional.empty(),
        new Provenance(
            Names.DATASETS.parse(p.getDataset(), "provenance.dataset"),
            p.getDatasetSha256(),
            p.getTestDatasetSha256().isEmpty() ? Optional.empty() : Optional.of(p.getTestDatasetSha256()),
            p.getSeed(),
            p.getTrainerdVersion(),
            p.getTensorflowVersion(),
            p.getJavaVersion(),
            dev.trainerd.ml.Device.valueOf(p.getDevice().name())),
        preprocessorJson,
        model.getClassNamesList(),
        model.getFeatureNamesList(),
        model.getIdColumn(),
        model.getLabelColumn(),
        instant(model.getCreateTime()));
  }

  // ---- time

  public static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  public static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  private static Duration duration(double seconds) {
    long whole = (long) Math.floor(seconds);
    return Duration.newBuilder().setSeconds(whole).setNanos((int) Math.round((seconds - whole) * 1e9) % 1_000_000_000).build();
  }
}
