package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.jobs.JobSpec;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.Precision;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.SquaredLoss;
import dev.trainerd.v1.TrainingJobSpec;
import org.junit.jupiter.api.Test;

class SpecMapperTest {
  private final SpecMapper mapper = new SpecMapper();

  /** A spec as this server stored it before the precision field existed (number 19 absent). */
  private static TrainingJobSpec.Builder storedBeforePrecision() {
    return TrainingJobSpec.newBuilder()
        .setDataset("datasets/aaaaaaaaaaaaaaaa")
        .setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()))
        .setLoss(dev.trainerd.v1.Loss.newBuilder().setSquared(SquaredLoss.getDefaultInstance()))
        .setLearningRate(0.03)
        .setBatchSize(10)
        .setEpochs(2)
        .setSeed(7);
  }

  @Test
  void aStoredSpecWithoutPrecisionLoadsAsFloat32AndIsWrittenBackResolved() {
    TrainingJobSpec old = storedBeforePrecision().build();
    assertThat(old.hasField(TrainingJobSpec.getDescriptor().findFieldByNumber(TrainingJobSpec.PRECISION_FIELD_NUMBER)))
        .isFalse();
    JobSpec loaded = mapper.toDomainResolved(old);
    assertThat(loaded.training().precision()).isEqualTo(Precision.FLOAT32);
    assertThat(mapper.toProto(loaded).getPrecision()).isEqualTo(dev.trainerd.v1.Precision.PRECISION_FLOAT32);
  }

  @Test
  void everyPrecisionRoundTrips() {
    for (dev.trainerd.v1.Precision p :
        new dev.trainerd.v1.Precision[] {
          dev.trainerd.v1.Precision.PRECISION_FLOAT32, dev.trainerd.v1.Precision.PRECISION_MIXED_BFLOAT16
        }) {
      JobSpec domain = mapper.toDomain(storedBeforePrecision().setPrecision(p).build(), new Loss.Squared());
      assertThat(mapper.toProto(domain).getPrecision()).isEqualTo(p);
    }
    assertThat(
            mapper.toDomain(
                    storedBeforePrecision().setPrecision(dev.trainerd.v1.Precision.PRECISION_MIXED_BFLOAT16).build(),
                    new Loss.Squared())
                .training()
                .precision())
        .isEqualTo(Precision.MIXED_BFLOAT16);
  }
}
