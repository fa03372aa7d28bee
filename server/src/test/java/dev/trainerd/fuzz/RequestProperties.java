package dev.trainerd.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.api.SpecMapper;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.ml.Loss;
import dev.trainerd.v1.HiddenLayer;
import dev.trainerd.v1.Initializer;
import dev.trainerd.v1.KFold;
import dev.trainerd.v1.MixedInit;
import dev.trainerd.v1.MixedInitRule;
import dev.trainerd.v1.Mlp;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.NormalInit;
import dev.trainerd.v1.Optimizer;
import dev.trainerd.v1.PolynomialRegression;
import dev.trainerd.v1.Split;
import dev.trainerd.v1.TrainingJobSpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Request validation meets arbitrary specs: a valid domain spec or field violations, nothing else. */
class RequestProperties {
  private final SpecMapper mapper = new SpecMapper();

  @Provide
  Arbitrary<TrainingJobSpec> specs() {
    Arbitrary<Double> anyDouble =
        Arbitraries.oneOf(
            Arbitraries.doubles().between(-10, 10),
            Arbitraries.of(0.0, -0.0, 1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-300, 0.999999));
    Arbitrary<Integer> anyInt = Arbitraries.oneOf(Arbitraries.integers().between(-3, 300), Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 100_001));
    Arbitrary<ModelSpec> model =
        Arbitraries.oneOf(
            Arbitraries.just(ModelSpec.getDefaultInstance()),
            Arbitraries.just(ModelSpec.newBuilder().setLinear(dev.trainerd.v1.LinearRegression.getDefaultInstance()).build()),
            Arbitraries.just(ModelSpec.newBuilder().setSoftmax(dev.trainerd.v1.SoftmaxRegression.getDefaultInstance()).build()),
            anyInt.map(d -> ModelSpec.newBuilder().setPolynomial(PolynomialRegression.newBuilder().setDegree(d)).build()),
            Combinators.combine(anyInt, anyDouble, Arbitraries.integers().between(0, 5))
                .as((units, dropout, activation) ->
                    ModelSpec.newBuilder()
                        .setMlp(Mlp.newBuilder().addHiddenLayers(HiddenLayer.newBuilder().setUnits(units).setDropout(dropout).setActivationValue(activation)))
                        .build()));
    Arbitrary<Split> split =
        Arbitraries.oneOf(
            Arbitraries.just(Split.getDefaultInstance()),
            anyDouble.map(f -> Split.newBuilder().setHoldoutFraction(f).build()),
            anyInt.map(k -> Split.newBuilder().setKFold(KFold.newBuilder().setFolds(k)).build()),
            Arbitraries.of("", "datasets/abc", "x", "datasets/../x").map(t -> Split.newBuilder().setTestDataset(t).build()));
    Arbitrary<Initializer> init =
        Arbitraries.oneOf(
            Arbitraries.just(Initializer.getDefaultInstance()),
            anyDouble.map(s -> Initializer.newBuilder().setNormal(NormalInit.newBuilder().setSigma(s)).build()),
            Arbitraries.of("dense0/.*", "(", "", ".*bias").map(p ->
                Initializer.newBuilder().setMixed(MixedInit.newBuilder().addRules(
                    MixedInitRule.newBuilder().setPattern(p).setInitializer(Initializer.newBuilder().setNormal(NormalInit.getDefaultInstance())))).build()));
    Arbitrary<Optimizer> optimizer =
        Arbitraries.oneOf(
            Arbitraries.just(Optimizer.getDefaultInstance()),
            anyDouble.map(m -> Optimizer.newBuilder().setMomentum(dev.trainerd.v1.MomentumOptimizer.newBuilder().setMomentum(m)).build()),
            Combinators.combine(anyDouble, anyDouble, anyDouble).as((b1, b2, e) ->
                Optimizer.newBuilder().setAdam(dev.trainerd.v1.AdamOptimizer.newBuilder().setBeta1(b1).setBeta2(b2).setEpsilon(e)).build()));
    Arbitrary<String> dataset = Arbitraries.of("", "datasets/abcdefghijklmnop", "datasets/", "datasets/UPPER", "models/x", "datasets/a/b");
    return Combinators.combine(dataset, model, split, init, optimizer, anyDouble, anyInt, anyInt)
        .as((d, m, s, i, o, lr, batch, epochs) ->
            TrainingJobSpec.newBuilder()
                .setDataset(d)
                .setModel(m)
                .setSplit(s)
                .setInitializer(i)
                .setOptimizer(o)
                .setLearningRate(lr)
                .setBatchSize(batch)
                .setEpochs(epochs)
                .build());
  }

  @Property(tries = 2500)
  void specsMapToTheDomainOrToFieldViolations(@ForAll("specs") TrainingJobSpec spec) {
    try {
      JobSpec mapped = mapper.toDomain(spec, new Loss.Squared());
      assertThat(mapped.training().validate()).isEmpty();
      assertThat(mapper.toDomainResolved(mapper.toProto(mapped))).isEqualTo(mapped);
    } catch (TrainerdException.InvalidArgument e) {
      assertThat(e.violations()).isNotEmpty().allSatisfy(v -> assertThat(v.field()).startsWith("spec"));
    }
  }
}
