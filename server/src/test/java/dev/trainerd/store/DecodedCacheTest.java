package dev.trainerd.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.data.LoadedDataset;
import dev.trainerd.ml.Examples;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DecodedCacheTest {
  private static LoadedDataset dense(int values) {
    return new LoadedDataset.Dense(
        new Examples(values, 1, new float[values], new Examples.Labels.Classes(new int[values], 2)), List.of("a", "b"));
  }

  @Test
  void keepsWhatFitsAndEvictsTheLeastRecentlyUsed() {
    DecodedCache cache = new DecodedCache(100); // each data set below: 10 values -> 80 bytes
    AtomicInteger loads = new AtomicInteger();
    cache.get("a", () -> {
      loads.incrementAndGet();
      return dense(10);
    });
    cache.get("a", () -> {
      loads.incrementAndGet();
      return dense(10);
    });
    assertThat(loads).hasValue(1);
    assertThat(cache.heldBytes()).isEqualTo(80);

    cache.get("b", () -> dense(10)); // over budget: "a" goes
    assertThat(cache.heldBytes()).isEqualTo(80);
    cache.get("a", () -> {
      loads.incrementAndGet();
      return dense(10);
    });
    assertThat(loads).hasValue(2);
  }

  @Test
  void somethingLargerThanTheBudgetIsServedButNotKept() {
    DecodedCache cache = new DecodedCache(10);
    assertThat(cache.get("big", () -> dense(100))).isNotNull();
    assertThat(cache.heldBytes()).isZero();
  }

  @Test
  void invalidateForgetsADeletedDataSet() {
    DecodedCache cache = new DecodedCache(1000);
    cache.get("a", () -> dense(10));
    cache.invalidate("a");
    assertThat(cache.heldBytes()).isZero();
  }
}
