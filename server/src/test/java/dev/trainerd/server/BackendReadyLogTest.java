package dev.trainerd.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.trainerd.ml.Device;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The warmed-up backend's log line, and the warning a GPU build without a usable GPU gets. */
class BackendReadyLogTest {

  private final Logger logger = (Logger) LoggerFactory.getLogger(TrainerdApplication.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  @BeforeEach
  void capture() {
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void release() {
    logger.detachAppender(appender);
  }

  private List<String> warnings() {
    return appender.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void aGpuBuildTrainingOnTheCpuIsWarnedAbout() {
    TrainerdApplication.logBackendReady("TensorFlow 2.18.0", true, Device.CPU, 1200);
    assertThat(appender.list.get(0).getFormattedMessage())
        .isEqualTo("backend TensorFlow 2.18.0 (GPU build) warmed up in 1200 ms, training on CPU by default");
    assertThat(warnings()).singleElement().asString().contains("jobs train on the CPU", "CUDA 12", "TF_CPP_VMODULE=dso_loader=1");
  }

  @Test
  void aGpuBuildWithItsGpuOrTheCpuBuildIsNot() {
    TrainerdApplication.logBackendReady("TensorFlow 2.18.0", true, Device.GPU, 900);
    TrainerdApplication.logBackendReady("TensorFlow 2.18.0", false, Device.CPU, 700);
    assertThat(warnings()).isEmpty();
    assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
        "backend TensorFlow 2.18.0 (GPU build) warmed up in 900 ms, training on GPU by default"
            + " (models too small to gain from it on the CPU)",
        "backend TensorFlow 2.18.0 warmed up in 700 ms, training on CPU by default");
  }
}
