package dev.trainerd.api;

import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.ml.Loss;
import dev.trainerd.sweeps.Dimension;
import dev.trainerd.sweeps.Distribution;
import dev.trainerd.sweeps.MedianStoppingRule;
import dev.trainerd.sweeps.Objective;
import dev.trainerd.sweeps.ParameterSpace;
import dev.trainerd.sweeps.ParameterValue;
import dev.trainerd.sweeps.SweepDefinition;
import dev.trainerd.sweeps.SweepEvent;
import dev.trainerd.sweeps.SweepRecord;
import dev.trainerd.sweeps.SweepState;
import dev.trainerd.sweeps.TrialRecord;
import dev.trainerd.sweeps.TrialState;
import dev.trainerd.v1.EarlyStopping;
import dev.trainerd.v1.GridValues;
import dev.trainerd.v1.Range;
import dev.trainerd.v1.Sweep;
import dev.trainerd.v1.SweepParameter;
import dev.trainerd.v1.Trial;
import dev.trainerd.v1.TrialEpoch;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Maps sweeps between their proto form and the domain's, filling documented defaults on the way
 * in. Field paths in violations follow the {@code sweep} message of the request.
 */
public final class SweepMapper {
  private final SpecMapper specs;
  private final ResourceMapper resources;
  private final SecureRandom seeds = new SecureRandom();

  public SweepMapper(SpecMapper specs, ResourceMapper resources) {
    this.specs = specs;
    this.resources = resources;
  }

  /**
   * The domain definition of a requested sweep; throws INVALID_ARGUMENT listing every violation
   * (paths under {@code sweep.}).
   *
   * @param defaultLoss picks the loss for a base spec that names none, by its data set
   */
  public SweepDefinition toDomain(Sweep sweep, Function<String, Loss> defaultLoss) {
    List<FieldViolation> violations = new ArrayList<>();
    JobSpec base = null;
    if (!sweep.hasBaseSpec()) {
      violations.add(new FieldViolation("base_spec", "is required: the job spec every trial starts from"));
    } else {
      try {
        base = specs.toDomain(sweep.getBaseSpec(), defaultLoss.apply(sweep.getBaseSpec().getDataset()));
      } catch (TrainerdException.InvalidArgument e) {
        e.violations().forEach(v -> violations.add(new FieldViolation(v.field().replaceFirst("^spec\\b", "base_spec"), v.description())));
      }
    }
    List<Dimension> dimensions = new ArrayList<>();
    for (int i = 0; i < sweep.getParametersCount(); i++) {
      SweepParameter p = sweep.getParameters(i);
      switch (p.getDomainCase()) {
        case VALUES -> dimensions.add(new Dimension.Grid(p.getName(), p.getValues().getValuesList()));
        case RANGE ->
            dimensions.add(
                new Dimension.Range(p.getName(), p.getRange().getMin(), p.getRange().getMax(), distribution(p.getRange().getDistribution())));
        case DOMAIN_NOT_SET ->
            violations.add(new FieldViolation("parameters[" + i + "]", "needs values (grid) or a range (random search)"));
      }
    }
    ParameterSpace space = new ParameterSpace(dimensions);
    Objective objective = null;
    Objective.Metric metric =
        switch (sweep.getObjective().getMetric()) {
          case LOSS -> Objective.Metric.LOSS;
          case ACCURACY -> Objective.Metric.ACCURACY;
          case RMSE -> Objective.Metric.RMSE;
          case LOG_RMSE -> Objective.Metric.LOG_RMSE;
          default -> null;
        };
    if (metric == null) {
      violations.add(new FieldViolation("objective.metric", "is required: LOSS, ACCURACY, RMSE or LOG_RMSE"));
    } else {
      objective =
          switch (sweep.getObjective().getDirection()) {
            case MINIMIZE -> new Objective(metric, Objective.Direction.MINIMIZE);
            case MAXIMIZE -> new Objective(metric, Objective.Direction.MAXIMIZE);
            default -> Objective.of(metric);
          };
    }
    if (!violations.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(withDomainViolations(violations, space));
    }
    Optional<MedianStoppingRule> stopping = Optional.empty();
    if (sweep.hasEarlyStopping()) {
      EarlyStopping e = sweep.getEarlyStopping();
      stopping =
          Optional.of(
              new MedianStoppingRule(
                  e.getWarmupEpochs() == 0 ? MedianStoppingRule.DEFAULT_WARMUP_EPOCHS : e.getWarmupEpochs(),
                  e.getMinTrials() == 0 ? MedianStoppingRule.DEFAULT_MIN_TRIALS : e.getMinTrials()));
    }
    int trials = sweep.getTrialCount();
    if (trials == 0) {
      // An invalid space is reported by the manager; 1 keeps trial_count from adding noise.
      trials = space.validate().isEmpty() ? space.defaultTrialCount() : 1;
    }
    return new SweepDefinition(
        base, space, trials, sweep.getParallelism() == 0 ? 1 : sweep.getParallelism(), objective, stopping,
        sweep.hasSeed() ? sweep.getSeed() : seeds.nextLong() & Long.MAX_VALUE);
  }

  /** Adds the space's own violations so a client sees every mistake at once. */
  private static List<FieldViolation> withDomainViolations(List<FieldViolation> violations, ParameterSpace space) {
    List<FieldViolation> out = new ArrayList<>(violations);
    for (FieldViolation v : space.validate()) {
      if (!out.contains(v)) {
        out.add(v);
      }
    }
    return out;
  }

  private static Distribution distribution(Range.Distribution d) {
    return switch (d) {
      case LOG_UNIFORM -> Distribution.LOG_UNIFORM;
      case INTEGER -> Distribution.INTEGER;
      default -> Distribution.UNIFORM;
    };
  }

  /** The API form of a sweep. */
  public Sweep toProto(SweepRecord s) {
    SweepDefinition d = s.definition();
    Sweep.Builder out =
        Sweep.newBuilder()
            .setName(Names.SWEEPS.format(s.id()))
            .setDisplayName(s.displayName())
            .setBaseSpec(specs.toProto(d.baseSpec()))
            .setTrialCount(d.trialCount())
            .setParallelism(d.parallelism())
            .setObjective(
                dev.trainerd.v1.Objective.newBuilder()
                    .setMetric(dev.trainerd.v1.Objective.Metric.valueOf(d.objective().metric().name()))
                    .setDirection(dev.trainerd.v1.Objective.Direction.valueOf(d.objective().direction().name())))
            .setSeed(d.seed())
            .setState(Sweep.State.valueOf(s.state().name()))
            .setCreateTime(ResourceMapper.timestamp(s.createTime()));
    for (Dimension dim : d.space().dimensions()) {
      SweepParameter.Builder p = SweepParameter.newBuilder().setName(dim.name());
      if (dim instanceof Dimension.Grid g) {
        p.setValues(GridValues.newBuilder().addAllValues(g.values()));
      } else if (dim instanceof Dimension.Range r) {
        p.setRange(
            Range.newBuilder().setMin(r.min()).setMax(r.max()).setDistribution(Range.Distribution.valueOf(r.distribution().name())));
      }
      out.addParameters(p);
    }
    d.earlyStopping()
        .ifPresent(
            rule ->
                out.setEarlyStopping(
                    EarlyStopping.newBuilder().setWarmupEpochs(rule.warmupEpochs()).setMinTrials(rule.minTrials())));
    s.endTime().ifPresent(t -> out.setEndTime(ResourceMapper.timestamp(t)));
    s.trials().forEach(t -> out.addTrials(toProto(t)));
    s.bestTrial().ifPresent(out::setBestTrial);
    s.bestModelId().ifPresent(m -> out.setBestModel(Names.MODELS.format(m)));
    s.failure().ifPresent(f -> out.setError(ResourceMapper.toStatus(f)));
    return out.build();
  }

  /** The API form of a trial. */
  public Trial toProto(TrialRecord t) {
    Trial.Builder out =
        Trial.newBuilder()
            .setTrial(t.number())
            .setState(Trial.State.valueOf(t.state().name()))
            .setEpochsCompleted(t.epochsCompleted())
            .setRank(t.rank());
    t.parameters().forEach(p -> out.addParameters(dev.trainerd.v1.ParameterValue.newBuilder().setName(p.name()).setValue(p.value())));
    t.jobId().ifPresent(j -> out.setTrainingJob(Names.TRAINING_JOBS.format(j)));
    t.objectiveValue().ifPresent(out::setObjectiveValue);
    t.metrics().ifPresent(m -> out.setMetrics(resources.toProto(m)));
    t.modelId().ifPresent(m -> out.setModel(Names.MODELS.format(m)));
    t.failure().ifPresent(f -> out.setError(ResourceMapper.toStatus(f)));
    return out.build();
  }

  /** The API form of a sweep event. */
  public dev.trainerd.v1.SweepEvent toProto(SweepEvent event) {
    dev.trainerd.v1.SweepEvent.Builder out =
        dev.trainerd.v1.SweepEvent.newBuilder()
            .setSequence(event.sequence())
            .setTime(ResourceMapper.timestamp(event.time()));
    if (event instanceof SweepEvent.StateChanged s) {
      out.setSweep(toProto(s.sweep()));
    } else if (event instanceof SweepEvent.TrialChanged t) {
      out.setTrial(toProto(t.trial()));
    } else if (event instanceof SweepEvent.TrialEpoch e) {
      out.setTrialEpoch(TrialEpoch.newBuilder().setTrial(e.trial()).setEpoch(resources.toProto(e.metrics())));
    }
    return out.build();
  }

  /** Decodes a sweep this server stored (every default resolved). */
  public SweepRecord toDomainResolved(Sweep s) {
    List<Dimension> dimensions = new ArrayList<>();
    for (SweepParameter p : s.getParametersList()) {
      dimensions.add(
          p.hasRange()
              ? new Dimension.Range(p.getName(), p.getRange().getMin(), p.getRange().getMax(), distribution(p.getRange().getDistribution()))
              : new Dimension.Grid(p.getName(), p.getValues().getValuesList()));
    }
    Optional<MedianStoppingRule> stopping =
        s.hasEarlyStopping()
            ? Optional.of(new MedianStoppingRule(s.getEarlyStopping().getWarmupEpochs(), s.getEarlyStopping().getMinTrials()))
            : Optional.empty();
    SweepDefinition d =
        new SweepDefinition(
            specs.toDomainResolved(s.getBaseSpec()),
            new ParameterSpace(dimensions),
            s.getTrialCount(),
            s.getParallelism(),
            new Objective(
                Objective.Metric.valueOf(s.getObjective().getMetric().name()),
                Objective.Direction.valueOf(s.getObjective().getDirection().name())),
            stopping,
            s.getSeed());
    List<TrialRecord> trials = new ArrayList<>();
    for (Trial t : s.getTrialsList()) {
      List<ParameterValue> values = new ArrayList<>();
      t.getParametersList().forEach(p -> values.add(new ParameterValue(p.getName(), p.getValue())));
      trials.add(
          new TrialRecord(
              t.getTrial(),
              values,
              TrialState.valueOf(t.getState().name()),
              t.getTrainingJob().isEmpty() ? Optional.empty() : Optional.of(t.getTrainingJob().substring("trainingJobs/".length())),
              t.hasObjectiveValue() ? Optional.of(t.getObjectiveValue()) : Optional.empty(),
              t.hasMetrics() ? Optional.of(resources.toDomain(t.getMetrics())) : Optional.empty(),
              t.getEpochsCompleted(),
              t.getModel().isEmpty() ? Optional.empty() : Optional.of(t.getModel().substring("models/".length())),
              t.getRank(),
              t.hasError() ? Optional.of(ResourceMapper.toFailure(t.getError())) : Optional.empty()));
    }
    return new SweepRecord(
        s.getName().substring("sweeps/".length()),
        s.getDisplayName(),
        d,
        SweepState.valueOf(s.getState().name()),
        ResourceMapper.instant(s.getCreateTime()),
        s.hasEndTime() ? Optional.of(ResourceMapper.instant(s.getEndTime())) : Optional.empty(),
        trials,
        s.getBestTrial() == 0 ? Optional.empty() : Optional.of(s.getBestTrial()),
        s.getBestModel().isEmpty() ? Optional.empty() : Optional.of(s.getBestModel().substring("models/".length())),
        s.hasError() ? Optional.of(ResourceMapper.toFailure(s.getError())) : Optional.empty());
  }
}
