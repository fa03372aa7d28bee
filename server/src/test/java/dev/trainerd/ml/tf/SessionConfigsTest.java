package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.Threads;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

class SessionConfigsTest {

  @Test
  void cpuHidesGpusAndCarriesTheThreadCounts() {
    ConfigProto c = SessionConfigs.of(new Threads(2, 1), Device.CPU);
    assertThat(c.getDeviceCountMap()).containsEntry("GPU", 0);
    assertThat(c.getIntraOpParallelismThreads()).isEqualTo(2);
    assertThat(c.getInterOpParallelismThreads()).isEqualTo(1);
    assertThat(c.getAllowSoftPlacement()).isTrue();
  }

  @Test
  void unsetIntraOpThreadsGiveEachParallelProductBlockItsShareOfTheCores() {
    int cores = Runtime.getRuntime().availableProcessors();
    int expected = Math.max(1, cores / TfTrainer.DEFAULT_PRODUCT_SPLITS);
    assertThat(SessionConfigs.of(Threads.defaults(), Device.CPU).getIntraOpParallelismThreads()).isEqualTo(expected);
    assertThat(SessionConfigs.of(Threads.defaults(), Device.CPU).getInterOpParallelismThreads()).isZero();
    assertThat(SessionConfigs.of(new Threads(3, 0), Device.CPU).getIntraOpParallelismThreads()).isEqualTo(3);
  }

  @Test
  void autoLeavesGpusVisible() {
    assertThat(SessionConfigs.of(Threads.defaults(), Device.AUTO).getDeviceCountMap()).doesNotContainKey("GPU");
  }

  @Test
  void gpuIsRefusedClearlyWhereThereIsNone() {
    if (TfDevices.gpuCount(Threads.defaults()) > 0) {
      assertThat(SessionConfigs.of(Threads.defaults(), Device.GPU).getDeviceCountMap()).doesNotContainKey("GPU");
    } else {
      assertThatThrownBy(() -> SessionConfigs.of(Threads.defaults(), Device.GPU))
          .isInstanceOfSatisfying(TrainerdException.FailedPrecondition.class,
              e -> assertThat(e.reason()).isEqualTo("GPU_UNAVAILABLE"));
    }
  }
}
