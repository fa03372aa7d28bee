package dev.trainerd.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import java.util.Locale;
import java.util.Map;

/**
 * trainerd's logging, set up in code rather than by a {@code logback.xml}: logs go to stdout, as
 * text or (with {@code TRAINERD_LOG_FORMAT=json}) one JSON object per line for Kubernetes log
 * collectors; {@code TRAINERD_LOG_LEVEL} sets trainerd's level (default INFO), everything else
 * logs at WARN. The job a line belongs to is in the MDC key {@code job_id}.
 *
 * <p>Why code: an XML configuration loads logback's Joran and the JDK's XML parser, about 600
 * classes and a fifth of the server's start to SERVING (BENCHMARKS.md). Logback finds this class
 * through {@code META-INF/services}; a file given with {@code -Dlogback.configurationFile} still
 * takes precedence.
 */
public final class LogbackConfigurator extends ContextAwareBase implements Configurator {

  /**
   * The text layout: ISO time, level, thread, logger, {@code job=<id>} when the line belongs to a
   * job, the message.
   */
  static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{20}%replace( job=%X{job_id}){'^ job=$', ''} - %msg%n";

  private final Map<String, String> environment;

  /** The configurator logback instantiates, reading the process environment. */
  public LogbackConfigurator() {
    this(System.getenv());
  }

  LogbackConfigurator(Map<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    context.getStatusManager().add(new NopStatusListener());

    boolean json = "json".equals(environment.getOrDefault("TRAINERD_LOG_FORMAT", "text").trim().toLowerCase(Locale.ROOT));
    Encoder<ILoggingEvent> encoder = json ? jsonEncoder(context) : textEncoder(context);
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName(json ? "json" : "text");
    console.setEncoder(encoder);
    console.start();

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(console);
    context.getLogger("dev.trainerd").setLevel(Level.toLevel(environment.get("TRAINERD_LOG_LEVEL"), Level.INFO));
    context.getLogger("io.grpc.netty").setLevel(Level.WARN);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  private static Encoder<ILoggingEvent> textEncoder(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(TEXT_PATTERN);
    encoder.start();
    return encoder;
  }

  private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithFormattedMessage(true);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.start();
    return encoder;
  }
}
