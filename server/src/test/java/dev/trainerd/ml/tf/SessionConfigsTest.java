package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.Precision;
import dev.trainerd.ml.Threads;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RewriterConfig;

class SessionConfigsTest {

  @Test
  void cpuHidesGpusAndCarriesTheThreadCounts() {
    ConfigProto c = SessionConfigs.of(new Threads(2, 1), Device.CPU, Precision.FLOAT32);
    assertThat(c.getDeviceCountMap()).containsEntry("GPU", 0);
    assertThat(c.getIntraOpParallelismThreads()).isEqualTo(2);
    assertThat(c.getInterOpParallelismThreads()).isEqualTo(1);
    assertThat(c.getAllowSoftPlacement()).isTrue();
  }

  @Test
  void unsetIntraOpThreadsGiveEachParallelProductBlockItsShareOfTheCores() {
    int cores = Runtime.getRuntime().availableProcessors();
    int expected = Math.max(1, cores / TfTrainer.DEFAULT_PRODUCT_SPLITS);
    assertThat(SessionConfigs.of(Threads.defaults(), Device.CPU, Precision.FLOAT32).getIntraOpParallelismThreads()).isEqualTo(expected);
    assertThat(SessionConfigs.of(Threads.defaults(), Device.CPU, Precision.FLOAT32).getInterOpParallelismThreads()).isZero();
    assertThat(SessionConfigs.of(new Threads(3, 0), Device.CPU, Precision.FLOAT32).getIntraOpParallelismThreads()).isEqualTo(3);
  }

  @Test
  void autoLeavesGpusVisible() {
    assertThat(SessionConfigs.of(Threads.defaults(), Device.AUTO, Precision.FLOAT32).getDeviceCountMap()).doesNotContainKey("GPU");
  }

  @Test
  void theGpuMemoryIsTakenAsJobsNeedItForEveryDevice() {
    for (Device device : List.of(Device.CPU, Device.AUTO)) {
      assertThat(SessionConfigs.of(Threads.defaults(), device, Precision.FLOAT32).getGpuOptions().getAllowGrowth()).isTrue();
      assertThat(SessionConfigs.of(Threads.defaults(), device, Precision.MIXED_BFLOAT16).getGpuOptions().getAllowGrowth()).isTrue();
    }
  }

  @Test
  void gpuIsRefusedClearlyWhereThereIsNone() {
    if (TfDevices.gpuCount(Threads.defaults()) > 0) {
      assertThat(SessionConfigs.of(Threads.defaults(), Device.GPU, Precision.FLOAT32).getDeviceCountMap()).doesNotContainKey("GPU");
    } else {
      assertThatThrownBy(() -> SessionConfigs.of(Threads.defaults(), Device.GPU, Precision.FLOAT32))
          .isInstanceOfSatisfying(TrainerdException.FailedPrecondition.class,
              e -> assertThat(e.reason()).isEqualTo("GPU_UNAVAILABLE"));
    }
  }

  @Test
  void onlyMixedBfloat16TurnsOnTheOnednnBfloat16PassAndKeepsTheOtherSettings() {
    ConfigProto exact = SessionConfigs.of(new Threads(2, 1), Device.CPU, Precision.FLOAT32);
    assertThat(exact.getGraphOptions().getRewriteOptions().getAutoMixedPrecisionOnednnBfloat16())
        .isEqualTo(RewriterConfig.Toggle.DEFAULT);

    ConfigProto mixed = SessionConfigs.of(new Threads(2, 1), Device.CPU, Precision.MIXED_BFLOAT16);
    RewriterConfig rewrite = mixed.getGraphOptions().getRewriteOptions();
    assertThat(rewrite.getAutoMixedPrecisionOnednnBfloat16()).isEqualTo(RewriterConfig.Toggle.ON);
    // Only that pass: the float16 and CPU-emulation variants stay as TensorFlow has them.
    assertThat(rewrite.getAutoMixedPrecision()).isEqualTo(RewriterConfig.Toggle.DEFAULT);
    assertThat(rewrite.getAutoMixedPrecisionMkl()).isEqualTo(RewriterConfig.Toggle.DEFAULT);
    assertThat(rewrite.getAutoMixedPrecisionCpu()).isEqualTo(RewriterConfig.Toggle.DEFAULT);
    assertThat(
            mixed.toBuilder()
                .setGraphOptions(
                    mixed.getGraphOptions().toBuilder()
                        .setRewriteOptions(rewrite.toBuilder().clearAutoMixedPrecisionOnednnBfloat16()))
                .build())
        .isEqualTo(exact);
  }

  @Test
  void everySessionSkipsOnlyTheGrapplerPassesThatCannotChangeItsGraphAndRunsTheOthersOnce() {
    for (Precision precision : Precision.values()) {
      RewriterConfig rewrite = SessionConfigs.of(Threads.defaults(), Device.CPU, precision).getGraphOptions().getRewriteOptions();
      assertThat(rewrite.getDisableTfgOptimizer()).isTrue();
      assertThat(rewrite.getLayoutOptimizer()).isEqualTo(RewriterConfig.Toggle.OFF);
      assertThat(rewrite.getLoopOptimization()).isEqualTo(RewriterConfig.Toggle.OFF);
      assertThat(rewrite.getImplementationSelector()).isEqualTo(RewriterConfig.Toggle.OFF);
      // The passes that shape the engine's graphs keep TensorFlow's defaults.
      assertThat(rewrite.getConstantFolding()).isEqualTo(RewriterConfig.Toggle.DEFAULT);
      assertThat(rewrite.getArithmeticOptimization()).isEqualTo(RewriterConfig.Toggle.DEFAULT);
      assertThat(rewrite.getRemapping()).isEqualTo(RewriterConfig.Toggle.DEFAULT);
      assertThat(rewrite.getDependencyOptimization()).isEqualTo(RewriterConfig.Toggle.DEFAULT);
      assertThat(rewrite.getCommonSubgraphElimination()).isEqualTo(RewriterConfig.Toggle.DEFAULT);
      assertThat(rewrite.getDisableModelPruning()).isFalse();
      assertThat(rewrite.getDisableMetaOptimizer()).isFalse();
      // Once through them, not twice.
      assertThat(rewrite.getMetaOptimizerIterations()).isEqualTo(RewriterConfig.NumIterationsType.ONE);
    }
  }
}
