package dev.trainerd.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * Bytes held in the data directory, per kind of resource. Sizes come from walking the directory,
 * at most once per {@link #REFRESH} so frequent scrapes stay cheap.
 */
public final class StoreMetrics implements MeterBinder {
  /** How long a measured size is reused. */
  static final Duration REFRESH = Duration.ofSeconds(10);

  private final Path dataDir;
  private final Clock clock;

  public StoreMetrics(Path dataDir, Clock clock) {
    this.dataDir = dataDir;
    this.clock = clock;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (String kind : List.of("datasets", "models", "jobs")) {
      CachedSize size = new CachedSize(dataDir.resolve(kind));
      Gauge.builder("trainerd.store.size", size, CachedSize::get)
          .description("Bytes the data directory holds for this kind of resource")
          .baseUnit("bytes")
          .tag("kind", kind)
          .strongReference(true)
          .register(registry);
    }
  }

  private final class CachedSize {
    private final Path dir;
    private Instant measured = Instant.MIN;
    private double bytes;

    CachedSize(Path dir) {
      this.dir = dir;
    }

    synchronized double get() {
      Instant now = clock.instant();
      if (measured.plus(REFRESH).isBefore(now) || measured.equals(Instant.MIN)) {
        bytes = sizeOf(dir);
        measured = now;
      }
      return bytes;
    }
  }

  static long sizeOf(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .mapToLong(
              f -> {
                try {
                  BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                  return a.isRegularFile() ? a.size() : 0;
                } catch (IOException e) {
                  return 0; // removed while walking
                }
              })
          .sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }
}
