package dev.trainerd.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds the registry with trainerd's common tags and the JVM and process meters. */
public final class Meters {
  private Meters() {}

  /**
   * A Prometheus registry tagged {@code application=trainerd} and {@code instance}, with JVM,
   * process and native-memory meters bound.
   */
  public static PrometheusMeterRegistry prometheus(String instance) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags(List.of(Tag.of("application", "trainerd"), Tag.of("instance", instance)));
    registry.config().meterFilter(lintClean());
    bindSystemMeters(registry);
    return registry;
  }

  /**
   * Keeps the exposition free of promtool lint warnings: Micrometer's gRPC meters tag in
   * camelCase, {@code process.cpu.time} is in nanoseconds and {@code system.cpu.count} reads like
   * a summary's count.
   */
  static MeterFilter lintClean() {
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        Meter.Id out = id;
        if (out.getName().startsWith("grpc.")) {
          List<Tag> tags = new ArrayList<>();
          for (Tag tag : out.getTagsAsIterable()) {
            tags.add(Tag.of(snakeCase(tag.getKey()), tag.getValue()));
          }
          out = out.replaceTags(tags);
        }
        if (out.getName().equals("system.cpu.count")) {
          out = out.withName("system.cpu.cores");
        }
        return out;
      }

      @Override
      public MeterFilterReply accept(Meter.Id id) {
        return id.getName().equals("process.cpu.time") ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
      }
    };
  }

  static String snakeCase(String key) {
    StringBuilder out = new StringBuilder(key.length() + 4);
    for (char c : key.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('_').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** JVM, process and resident-memory meters. */
  public static void bindSystemMeters(MeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Path statm = Path.of("/proc/self/statm");
    if (Files.isReadable(statm)) {
      // TensorFlow allocates outside the Java heap; resident memory is what the kernel counts.
      Gauge.builder("process.memory.resident", statm, Meters::residentBytes)
          .description("Resident memory of the whole process, native allocations included")
          .baseUnit("bytes")
          .strongReference(true)
          .register(registry);
    }
  }

  private static double residentBytes(Path statm) {
    try {
      String[] fields = Files.readString(statm).trim().split("\\s+");
      return Long.parseLong(fields[1]) * 4096.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
