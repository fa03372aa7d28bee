package dev.trainerd.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LogbackConfiguratorTest {

  private static LoggerContext configured(Map<String, String> environment) {
    LoggerContext context = new LoggerContext();
    Configurator.ExecutionStatus status = new LogbackConfigurator(environment).configure(context);
    assertThat(status).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    return context;
  }

  private static OutputStreamAppender<ILoggingEvent> console(LoggerContext context) {
    return (OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().next();
  }

  private static String encode(LoggerContext context, String message, Map<String, String> mdc) {
    Logger logger = context.getLogger("dev.trainerd.jobs.JobRunner");
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, message, null, null);
    event.setMDCPropertyMap(mdc);
    return new String(console(context).getEncoder().encode(event), StandardCharsets.UTF_8);
  }

  @Test
  void logbackFindsItAsAService() {
    assertThat(ServiceLoader.load(Configurator.class).stream().map(ServiceLoader.Provider::type))
        .contains(LogbackConfigurator.class);
  }

  @Test
  void defaultsToTextAtInfoForTrainerdAndWarnForTheRest() {
    LoggerContext context = configured(Map.of());
    assertThat(console(context).isStarted()).isTrue();
    assertThat(console(context).getEncoder()).isInstanceOf(PatternLayoutEncoder.class);
    assertThat(context.getLogger("dev.trainerd").getEffectiveLevel()).isEqualTo(Level.INFO);
    assertThat(context.getLogger("io.grpc.netty").getEffectiveLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("org.tensorflow").getEffectiveLevel()).isEqualTo(Level.WARN);
    assertThat(encode(context, "epoch 3 done", Map.of("job_id", "j-1")))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* INFO  \\[\\S+\\] d\\.t\\.jobs\\.JobRunner job=j-1 - epoch 3 done\\R");
    assertThat(encode(context, "serving", Map.of())).endsWith(" d.t.jobs.JobRunner - serving" + System.lineSeparator());
  }

  @Test
  void jsonFormatWritesOneObjectPerLineWithTheJob() {
    LoggerContext context = configured(Map.of("TRAINERD_LOG_FORMAT", "json", "TRAINERD_LOG_LEVEL", "debug"));
    assertThat(console(context).getEncoder()).isInstanceOf(JsonEncoder.class);
    assertThat(context.getLogger("dev.trainerd.api").getEffectiveLevel()).isEqualTo(Level.DEBUG);
    String line = encode(context, "epoch 3 done", Map.of("job_id", "j-1"));
    assertThat(line).startsWith("{").endsWith("}\n").doesNotContain("\n{");
    assertThat(line).contains("\"formattedMessage\":\"epoch 3 done\"").contains("\"job_id\":\"j-1\"");
  }

  @Test
  void anUnknownLevelFallsBackToInfo() {
    assertThat(configured(Map.of("TRAINERD_LOG_LEVEL", "loud")).getLogger("dev.trainerd").getEffectiveLevel())
        .isEqualTo(Level.INFO);
  }
}
