package dev.trainerd.api;

import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.jobs.ReplicaLossPolicy;
import dev.trainerd.jobs.SplitSpec;
import dev.trainerd.ml.Activation;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.Initializer;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.Optimizer;
import dev.trainerd.ml.Precision;
import dev.trainerd.ml.Threads;
import dev.trainerd.ml.TrainingSpec;
import dev.trainerd.ml.WeightDecay;
import dev.trainerd.v1.AdamOptimizer;
import dev.trainerd.v1.ConstantInit;
import dev.trainerd.v1.CosineEmbeddingLoss;
import dev.trainerd.v1.FactorType;
import dev.trainerd.v1.HiddenLayer;
import dev.trainerd.v1.HingeLoss;
import dev.trainerd.v1.HuberLoss;
import dev.trainerd.v1.KFold;
import dev.trainerd.v1.KlDivergenceLoss;
import dev.trainerd.v1.LoadInit;
import dev.trainerd.v1.LogisticLabelFormat;
import dev.trainerd.v1.LogisticLoss;
import dev.trainerd.v1.MixedInit;
import dev.trainerd.v1.MixedInitRule;
import dev.trainerd.v1.Mlp;
import dev.trainerd.v1.MomentumOptimizer;
import dev.trainerd.v1.MsraInit;
import dev.trainerd.v1.NormalInit;
import dev.trainerd.v1.OrthogonalInit;
import dev.trainerd.v1.PoissonNllLoss;
import dev.trainerd.v1.PolynomialRegression;
import dev.trainerd.v1.Preprocessing;
import dev.trainerd.v1.RandomType;
import dev.trainerd.v1.SoftmaxCrossEntropyLoss;
import dev.trainerd.v1.Split;
import dev.trainerd.v1.SquaredHingeLoss;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.UniformInit;
import dev.trainerd.v1.XavierInit;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Maps the job spec between its proto form and the domain's, filling documented defaults on the
 * way in and writing every resolved value on the way out (so a stored job shows exactly what ran).
 * Field paths in violations follow the request: {@code spec.model.mlp.hidden_layers[0].units}.
 */
public final class SpecMapper {
  /** Default learning rate when the request leaves it at 0. */
  public static final double DEFAULT_LEARNING_RATE = 0.1;
  /** Default minibatch size. */
  public static final int DEFAULT_BATCH_SIZE = 256;
  /** Default number of epochs. */
  public static final int DEFAULT_EPOCHS = 10;

  private final SecureRandom seeds = new SecureRandom();

  /**
   * Builds the domain spec; throws INVALID_ARGUMENT listing every violation.
   *
   * @param defaultLoss the loss to use when the request names none (depends on the data set)
   */
  public JobSpec toDomain(TrainingJobSpec spec, Loss defaultLoss) {
    List<FieldViolation> violations = new ArrayList<>();
    String datasetId = Names.parseOrViolation(Names.DATASETS, spec.getDataset(), "spec.dataset", violations);
    SplitSpec split = split(spec.getSplit(), violations);
    Optional<String> fitAlso = Optional.empty();
    if (spec.hasPreprocessing() && !spec.getPreprocessing().getFitAlsoOnDataset().isEmpty()) {
      fitAlso =
          Optional.ofNullable(
              Names.parseOrViolation(
                  Names.DATASETS,
                  spec.getPreprocessing().getFitAlsoOnDataset(),
                  "spec.preprocessing.fit_also_on_dataset",
                  violations));
    }
    if (!spec.hasModel() || spec.getModel().getKindCase() == dev.trainerd.v1.ModelSpec.KindCase.KIND_NOT_SET) {
      violations.add(new FieldViolation("spec.model", "is required: set linear, softmax, mlp or polynomial"));
    }
    Optional<String> warmStart = Optional.empty();
    Initializer initializer = new Initializer.Normal(0.01);
    if (spec.hasInitializer()
        && spec.getInitializer().getKindCase() == dev.trainerd.v1.Initializer.KindCase.LOAD) {
      LoadInit load = spec.getInitializer().getLoad();
      warmStart =
          Optional.ofNullable(
              Names.parseOrViolation(Names.MODELS, load.getModel(), "spec.initializer.load.model", violations));
    } else if (spec.hasInitializer()) {
      initializer = initializer(spec.getInitializer(), "spec.initializer", violations);
    }
    long seed = spec.hasSeed() ? spec.getSeed() : seeds.nextLong() & Long.MAX_VALUE;
    boolean hasModel =
        spec.hasModel() && spec.getModel().getKindCase() != dev.trainerd.v1.ModelSpec.KindCase.KIND_NOT_SET;
    // Without a model the other fields are still checked (against a stand-in linear model), so a
    // client sees every mistake at once; checks that pair the loss with the model are skipped.
    TrainingSpec training =
        new TrainingSpec(
            hasModel ? model(spec.getModel()) : new ModelSpec.LinearRegression(),
            spec.hasLoss() && spec.getLoss().getKindCase() != dev.trainerd.v1.Loss.KindCase.KIND_NOT_SET
                ? loss(spec.getLoss())
                : defaultLoss,
            initializer,
            spec.hasOptimizer() ? optimizer(spec.getOptimizer()) : new Optimizer.Sgd(),
            spec.getLearningRate() == 0 ? DEFAULT_LEARNING_RATE : spec.getLearningRate(),
            spec.getBatchSize() == 0 ? DEFAULT_BATCH_SIZE : spec.getBatchSize(),
            spec.getEpochs() == 0 ? DEFAULT_EPOCHS : spec.getEpochs(),
            new WeightDecay(spec.getWeightDecay(), spec.getDecayBiases()),
            seed,
            new Threads(spec.getIntraOpThreads(), spec.getInterOpThreads()),
            device(spec.getDevice()),
            precision(spec, violations),
            spec.getLogTarget());
    for (FieldViolation v : training.validate()) {
      if (hasModel || !v.field().equals("spec.loss")) {
        violations.add(v);
      }
    }
    if (!violations.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(violations);
    }
    ReplicaLossPolicy onReplicaLoss =
        spec.getOnReplicaLoss() == TrainingJobSpec.OnReplicaLoss.FAIL ? ReplicaLossPolicy.FAIL : ReplicaLossPolicy.REQUEUE;
    return new JobSpec(datasetId, split, training, fitAlso, warmStart, onReplicaLoss);
  }

  /**
   * Decodes a spec this server stored (every default already written out); a stored spec that no
   * longer validates is a corrupt store, reported as INTERNAL.
   */
  public JobSpec toDomainResolved(TrainingJobSpec stored) {
    if (!stored.hasSeed() || !stored.hasLoss()) {
      throw new TrainerdException.Internal(
          "CORRUPT_RECORD", "a stored job spec lacks its resolved seed or loss", null);
    }
    return toDomain(stored, new Loss.Squared());
  }

  private static SplitSpec split(Split split, List<FieldViolation> violations) {
    switch (split.getKindCase()) {
      case TEST_DATASET -> {
        String id =
            Names.parseOrViolation(Names.DATASETS, split.getTestDataset(), "spec.split.test_dataset", violations);
        return new SplitSpec.TestDataset(id == null ? "" : id);
      }
      case HOLDOUT_FRACTION -> {
        double f = split.getHoldoutFraction();
        if (!(f > 0 && f < 1)) {
          violations.add(new FieldViolation("spec.split.holdout_fraction", "must be in (0, 1), was " + f));
        }
        return new SplitSpec.Holdout(f);
      }
      case K_FOLD -> {
        KFold k = split.getKFold();
        if (k.getFolds() < 2 || k.getFolds() > 100) {
          violations.add(new FieldViolation("spec.split.k_fold.folds", "must be in [2, 100], was " + k.getFolds()));
        }
        return new SplitSpec.KFold(k.getFolds(), k.getShuffle());
      }
      default -> {
        return new SplitSpec.None();
      }
    }
  }

  private static ModelSpec model(dev.trainerd.v1.ModelSpec model) {
    return switch (model.getKindCase()) {
      case LINEAR -> new ModelSpec.LinearRegression();
      case SOFTMAX -> new ModelSpec.SoftmaxRegression();
      case MLP -> {
        List<ModelSpec.HiddenLayer> layers = new ArrayList<>();
        for (HiddenLayer layer : model.getMlp().getHiddenLayersList()) {
          layers.add(new ModelSpec.HiddenLayer(layer.getUnits(), activation(layer.getActivation()), layer.getDropout()));
        }
        yield new ModelSpec.Mlp(layers);
      }
      case POLYNOMIAL ->
          new ModelSpec.Polynomial(model.getPolynomial().getDegree(), model.getPolynomial().getFactorialScaling());
      case KIND_NOT_SET -> throw new IllegalArgumentException("model kind not set");
    };
  }

  private static Activation activation(dev.trainerd.v1.Activation a) {
    return switch (a) {
      case SIGMOID -> Activation.SIGMOID;
      case TANH -> Activation.TANH;
      case IDENTITY -> Activation.IDENTITY;
      default -> Activation.RELU;
    };
  }

  private static Loss loss(dev.trainerd.v1.Loss loss) {
    return switch (loss.getKindCase()) {
      case SQUARED -> new Loss.Squared();
      case ABSOLUTE -> new Loss.Absolute();
      case HUBER -> new Loss.Huber(orDefault(loss.getHuber().getRho(), 1));
      case SOFTMAX_CROSS_ENTROPY -> new Loss.SoftmaxCrossEntropy(!loss.getSoftmaxCrossEntropy().getDenseLabels());
      case SIGMOID_BINARY_CROSS_ENTROPY -> new Loss.SigmoidBinaryCrossEntropy();
      case KL_DIVERGENCE -> new Loss.KlDivergence(!loss.getKlDivergence().getOutputsAreLogProbabilities());
      case HINGE -> new Loss.Hinge(orDefault(loss.getHinge().getMargin(), 1));
      case SQUARED_HINGE -> new Loss.SquaredHinge(orDefault(loss.getSquaredHinge().getMargin(), 1));
      case LOGISTIC ->
          new Loss.Logistic(
              loss.getLogistic().getLabelFormat() == LogisticLabelFormat.BINARY
                  ? Loss.LabelFormat.BINARY
                  : Loss.LabelFormat.SIGNED);
      case POISSON_NLL ->
          new Loss.PoissonNll(!loss.getPoissonNll().getOutputsAreRates(), loss.getPoissonNll().getComputeFull());
      case COSINE_EMBEDDING -> new Loss.CosineEmbedding(loss.getCosineEmbedding().getMargin());
      case KIND_NOT_SET -> throw new IllegalArgumentException("loss kind not set");
    };
  }

  private static Initializer initializer(
      dev.trainerd.v1.Initializer init, String path, List<FieldViolation> violations) {
    return switch (init.getKindCase()) {
      case ZERO -> new Initializer.Zero();
      case ONE -> new Initializer.One();
      case CONSTANT -> new Initializer.Constant(init.getConstant().getValue());
      case NORMAL -> new Initializer.Normal(orDefault(init.getNormal().getSigma(), 0.01));
      case UNIFORM -> new Initializer.Uniform(orDefault(init.getUniform().getScale(), 0.07));
      case XAVIER ->
          new Initializer.Xavier(
              init.getXavier().getRandomType() == RandomType.GAUSSIAN
                  ? Initializer.Distribution.GAUSSIAN
                  : Initializer.Distribution.UNIFORM,
              factor(init.getXavier().getFactorType(), Initializer.FactorType.AVG),
              orDefault(init.getXavier().getMagnitude(), 3));
      case MSRA ->
          new Initializer.Msra(factor(init.getMsra().getFactorType(), Initializer.FactorType.IN), init.getMsra().getSlope());
      case ORTHOGONAL -> new Initializer.Orthogonal(orDefault(init.getOrthogonal().getScale(), 1.414));
      case MIXED -> {
        List<Initializer.Rule> rules = new ArrayList<>();
        List<MixedInitRule> given = init.getMixed().getRulesList();
        for (int i = 0; i < given.size(); i++) {
          MixedInitRule rule = given.get(i);
          String rulePath = path + ".mixed.rules[" + i + "].initializer";
          dev.trainerd.v1.Initializer.KindCase inner = rule.getInitializer().getKindCase();
          if (inner == dev.trainerd.v1.Initializer.KindCase.LOAD
              || inner == dev.trainerd.v1.Initializer.KindCase.MIXED
              || inner == dev.trainerd.v1.Initializer.KindCase.KIND_NOT_SET) {
            violations.add(new FieldViolation(rulePath, "must be a plain initialiser (not load, mixed or unset)"));
            continue;
          }
          rules.add(new Initializer.Rule(rule.getPattern(), initializer(rule.getInitializer(), rulePath, violations)));
        }
        yield new Initializer.Mixed(rules);
      }
      case LOAD, KIND_NOT_SET -> new Initializer.Normal(0.01);
    };
  }

  private static Initializer.FactorType factor(FactorType type, Initializer.FactorType fallback) {
    return switch (type) {
      case AVG -> Initializer.FactorType.AVG;
      case IN -> Initializer.FactorType.IN;
      case OUT -> Initializer.FactorType.OUT;
      default -> fallback;
    };
  }

  private static Optimizer optimizer(dev.trainerd.v1.Optimizer optimizer) {
    return switch (optimizer.getKindCase()) {
      case MOMENTUM ->
          new Optimizer.Momentum(orDefault(optimizer.getMomentum().getMomentum(), 0.9), optimizer.getMomentum().getNesterov());
      case ADAM -> {
        AdamOptimizer a = optimizer.getAdam();
        Optimizer.Adam d = Optimizer.Adam.defaults();
        yield new Optimizer.Adam(
            orDefault(a.getBeta1(), d.beta1()), orDefault(a.getBeta2(), d.beta2()), orDefault(a.getEpsilon(), d.epsilon()));
      }
      default -> new Optimizer.Sgd();
    };
  }

  private static Device device(dev.trainerd.v1.Device device) {
    return switch (device) {
      case CPU -> Device.CPU;
      case GPU -> Device.GPU;
      default -> Device.AUTO;
    };
  }

  /** Unspecified (also in specs stored before the field existed) is float32. */
  private static Precision precision(TrainingJobSpec spec, List<FieldViolation> violations) {
    return switch (spec.getPrecision()) {
      case PRECISION_UNSPECIFIED, PRECISION_FLOAT32 -> Precision.FLOAT32;
      case PRECISION_MIXED_BFLOAT16 -> Precision.MIXED_BFLOAT16;
      case UNRECOGNIZED -> {
        violations.add(
            new FieldViolation(
                "spec.precision",
                "unknown value " + spec.getPrecisionValue() + "; use PRECISION_FLOAT32 or PRECISION_MIXED_BFLOAT16"));
        yield Precision.FLOAT32;
      }
    };
  }

  private static double orDefault(double value, double fallback) {
    return value == 0 ? fallback : value;
  }

  /** The proto form of a domain spec, every default written out. */
  public TrainingJobSpec toProto(JobSpec spec) {
    TrainingSpec t = spec.training();
    TrainingJobSpec.Builder out =
        TrainingJobSpec.newBuilder()
            .setDataset(Names.DATASETS.format(spec.datasetId()))
            .setModel(toProto(t.model()))
            .setLoss(toProto(t.loss()))
            .setOptimizer(toProto(t.optimizer()))
            .setLearningRate(t.learningRate())
            .setBatchSize(t.batchSize())
            .setEpochs(t.epochs())
            .setWeightDecay(t.weightDecay().lambda())
            .setDecayBiases(t.weightDecay().includeBiases())
            .setSeed(t.seed())
            .setDevice(
                switch (t.device()) {
                  case CPU -> dev.trainerd.v1.Device.CPU;
                  case GPU -> dev.trainerd.v1.Device.GPU;
                  case AUTO -> dev.trainerd.v1.Device.AUTO;
                })
            .setPrecision(
                switch (t.precision()) {
                  case FLOAT32 -> dev.trainerd.v1.Precision.PRECISION_FLOAT32;
                  case MIXED_BFLOAT16 -> dev.trainerd.v1.Precision.PRECISION_MIXED_BFLOAT16;
                })
            .setIntraOpThreads(t.threads().intraOp())
            .setInterOpThreads(t.threads().interOp())
            .setOnReplicaLoss(
                switch (spec.onReplicaLoss()) {
                  case REQUEUE -> TrainingJobSpec.OnReplicaLoss.REQUEUE;
                  case FAIL -> TrainingJobSpec.OnReplicaLoss.FAIL;
                })
            .setLogTarget(t.logTarget());
    if (spec.warmStartModelId().isPresent()) {
      out.setInitializer(
          dev.trainerd.v1.Initializer.newBuilder()
              .setLoad(LoadInit.newBuilder().setModel(Names.MODELS.format(spec.warmStartModelId().get()))));
    } else {
      out.setInitializer(toProto(t.initializer()));
    }
    SplitSpec split = spec.split();
    if (split instanceof SplitSpec.TestDataset test) {
      out.setSplit(Split.newBuilder().setTestDataset(Names.DATASETS.format(test.datasetId())));
    } else if (split instanceof SplitSpec.Holdout h) {
      out.setSplit(Split.newBuilder().setHoldoutFraction(h.fraction()));
    } else if (split instanceof SplitSpec.KFold k) {
      out.setSplit(Split.newBuilder().setKFold(KFold.newBuilder().setFolds(k.folds()).setShuffle(k.shuffle())));
    }
    spec.fitAlsoOnDatasetId()
        .ifPresent(
            id -> out.setPreprocessing(Preprocessing.newBuilder().setFitAlsoOnDataset(Names.DATASETS.format(id))));
    return out.build();
  }

  private static dev.trainerd.v1.ModelSpec toProto(ModelSpec model) {
    dev.trainerd.v1.ModelSpec.Builder out = dev.trainerd.v1.ModelSpec.newBuilder();
    if (model instanceof ModelSpec.LinearRegression) {
      out.setLinear(dev.trainerd.v1.LinearRegression.getDefaultInstance());
    } else if (model instanceof ModelSpec.SoftmaxRegression) {
      out.setSoftmax(dev.trainerd.v1.SoftmaxRegression.getDefaultInstance());
    } else if (model instanceof ModelSpec.Mlp mlp) {
      Mlp.Builder m = Mlp.newBuilder();
      for (ModelSpec.HiddenLayer layer : mlp.hiddenLayers()) {
        m.addHiddenLayers(
            HiddenLayer.newBuilder()
                .setUnits(layer.units())
                .setActivation(dev.trainerd.v1.Activation.valueOf(layer.activation().name()))
                .setDropout(layer.dropout()));
      }
      out.setMlp(m);
    } else if (model instanceof ModelSpec.Polynomial p) {
      out.setPolynomial(
          PolynomialRegression.newBuilder().setDegree(p.degree()).setFactorialScaling(p.factorialScaling()));
    }
    return out.build();
  }

  private static dev.trainerd.v1.Loss toProto(Loss loss) {
    dev.trainerd.v1.Loss.Builder out = dev.trainerd.v1.Loss.newBuilder();
    if (loss instanceof Loss.Squared) {
      out.setSquared(dev.trainerd.v1.SquaredLoss.getDefaultInstance());
    } else if (loss instanceof Loss.Absolute) {
      out.setAbsolute(dev.trainerd.v1.AbsoluteLoss.getDefaultInstance());
    } else if (loss instanceof Loss.Huber h) {
      out.setHuber(HuberLoss.newBuilder().setRho(h.rho()));
    } else if (loss instanceof Loss.SoftmaxCrossEntropy s) {
      out.setSoftmaxCrossEntropy(SoftmaxCrossEntropyLoss.newBuilder().setDenseLabels(!s.sparseLabels()));
    } else if (loss instanceof Loss.SigmoidBinaryCrossEntropy) {
      out.setSigmoidBinaryCrossEntropy(dev.trainerd.v1.SigmoidBinaryCrossEntropyLoss.getDefaultInstance());
    } else if (loss instanceof Loss.KlDivergence k) {
      out.setKlDivergence(KlDivergenceLoss.newBuilder().setOutputsAreLogProbabilities(!k.fromLogits()));
    } else if (loss instanceof Loss.Hinge h) {
      out.setHinge(HingeLoss.newBuilder().setMargin(h.margin()));
    } else if (loss instanceof Loss.SquaredHinge h) {
      out.setSquaredHinge(SquaredHingeLoss.newBuilder().setMargin(h.margin()));
    } else if (loss instanceof Loss.Logistic l) {
      out.setLogistic(
          LogisticLoss.newBuilder()
              .setLabelFormat(
                  l.labelFormat() == Loss.LabelFormat.BINARY ? LogisticLabelFormat.BINARY : LogisticLabelFormat.SIGNED));
    } else if (loss instanceof Loss.PoissonNll p) {
      out.setPoissonNll(PoissonNllLoss.newBuilder().setOutputsAreRates(!p.fromLogits()).setComputeFull(p.computeFull()));
    } else if (loss instanceof Loss.CosineEmbedding c) {
      out.setCosineEmbedding(CosineEmbeddingLoss.newBuilder().setMargin(c.margin()));
    }
    return out.build();
  }

  private static dev.trainerd.v1.Initializer toProto(Initializer init) {
    dev.trainerd.v1.Initializer.Builder out = dev.trainerd.v1.Initializer.newBuilder();
    if (init instanceof Initializer.Zero) {
      out.setZero(dev.trainerd.v1.ZeroInit.getDefaultInstance());
    } else if (init instanceof Initializer.One) {
      out.setOne(dev.trainerd.v1.OneInit.getDefaultInstance());
    } else if (init instanceof Initializer.Constant c) {
      out.setConstant(ConstantInit.newBuilder().setValue(c.value()));
    } else if (init instanceof Initializer.Normal n) {
      out.setNormal(NormalInit.newBuilder().setSigma(n.sigma()));
    } else if (init instanceof Initializer.Uniform u) {
      out.setUniform(UniformInit.newBuilder().setScale(u.scale()));
    } else if (init instanceof Initializer.Xavier x) {
      out.setXavier(
          XavierInit.newBuilder()
              .setRandomType(x.distribution() == Initializer.Distribution.GAUSSIAN ? RandomType.GAUSSIAN : RandomType.UNIFORM)
              .setFactorType(FactorType.valueOf(x.factorType().name()))
              .setMagnitude(x.magnitude()));
    } else if (init instanceof Initializer.Msra m) {
      out.setMsra(MsraInit.newBuilder().setFactorType(FactorType.valueOf(m.factorType().name())).setSlope(m.slope()));
    } else if (init instanceof Initializer.Orthogonal o) {
      out.setOrthogonal(OrthogonalInit.newBuilder().setScale(o.scale()));
    } else if (init instanceof Initializer.Mixed mixed) {
      MixedInit.Builder m = MixedInit.newBuilder();
      for (Initializer.Rule rule : mixed.rules()) {
        m.addRules(MixedInitRule.newBuilder().setPattern(rule.pattern()).setInitializer(toProto(rule.initializer())));
      }
      out.setMixed(m);
    }
    return out.build();
  }

  private static dev.trainerd.v1.Optimizer toProto(Optimizer optimizer) {
    dev.trainerd.v1.Optimizer.Builder out = dev.trainerd.v1.Optimizer.newBuilder();
    if (optimizer instanceof Optimizer.Momentum m) {
      out.setMomentum(MomentumOptimizer.newBuilder().setMomentum(m.momentum()).setNesterov(m.nesterov()));
    } else if (optimizer instanceof Optimizer.Adam a) {
      out.setAdam(AdamOptimizer.newBuilder().setBeta1(a.beta1()).setBeta2(a.beta2()).setEpsilon(a.epsilon()));
    } else {
      out.setSgd(dev.trainerd.v1.SgdOptimizer.getDefaultInstance());
    }
    return out.build();
  }
}
