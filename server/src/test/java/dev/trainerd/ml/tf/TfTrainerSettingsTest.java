package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the TensorFlow backend sets up for the process before it first uses TensorFlow. */
class TfTrainerSettingsTest {

  @Test
  void javacppSkipsItsResidentMemoryCheckUnlessTheProcessChoseALimit() {
    new TfTrainer();
    assertThat(System.getProperty(TfTrainer.JAVACPP_MAX_PHYSICAL_BYTES)).isEqualTo("0");
    try {
      System.setProperty(TfTrainer.JAVACPP_MAX_PHYSICAL_BYTES, "8g");
      TfTrainer.skipResidentMemoryChecks();
      assertThat(System.getProperty(TfTrainer.JAVACPP_MAX_PHYSICAL_BYTES)).isEqualTo("8g");
    } finally {
      System.setProperty(TfTrainer.JAVACPP_MAX_PHYSICAL_BYTES, "0");
    }
  }
}
