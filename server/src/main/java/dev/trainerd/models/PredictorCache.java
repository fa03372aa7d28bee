package dev.trainerd.models;

import dev.trainerd.ml.Predictor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Keeps the most recently used models loaded (building a predictor graph costs tens of
 * milliseconds, a prediction well under one). Each entry is used under its own lock so a
 * predictor is never closed while a call is inside it.
 */
final class PredictorCache implements AutoCloseable {
  private final int capacity;
  private final Map<String, Entry> entries;

  PredictorCache(int capacity) {
    this.capacity = capacity;
    this.entries = new LinkedHashMap<>(16, 0.75f, true);
  }

  /** Runs {@code work} with the model's predictor, loading it with {@code loader} if needed. */
  <T> T with(String modelId, Supplier<Predictor> loader, Function<Predictor, T> work) {
    Entry entry;
    Entry evicted = null;
    synchronized (entries) {
      entry = entries.computeIfAbsent(modelId, id -> new Entry());
      if (entries.size() > capacity) {
        String eldest = entries.keySet().iterator().next();
        evicted = entries.remove(eldest);
      }
    }
    if (evicted != null) {
      evicted.close();
    }
    synchronized (entry) {
      if (entry.closed) {
        // Evicted between lookup and lock: use a private, short-lived predictor.
        try (Predictor p = loader.get()) {
          return work.apply(p);
        }
      }
      if (entry.predictor == null) {
        entry.predictor = loader.get();
      }
      return work.apply(entry.predictor);
    }
  }

  /** Drops a model's predictor (after the model is deleted). */
  void invalidate(String modelId) {
    Entry entry;
    synchronized (entries) {
      entry = entries.remove(modelId);
    }
    if (entry != null) {
      entry.close();
    }
  }

  @Override
  public void close() {
    synchronized (entries) {
      entries.values().forEach(Entry::close);
      entries.clear();
    }
  }

  private static final class Entry {
    Predictor predictor;
    boolean closed;

    synchronized void close() {
      closed = true;
      if (predictor != null) {
        predictor.close();
        predictor = null;
      }
    }
  }
}
