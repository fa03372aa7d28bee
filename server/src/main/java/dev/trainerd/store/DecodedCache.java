package dev.trainerd.store;

import dev.trainerd.data.FeatureColumn;
import dev.trainerd.data.LoadedDataset;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Decoded data sets kept between jobs, least recently used first out, within a byte budget.
 * Decoding Fashion-MNIST takes about a second; a sweep of jobs over one data set pays it once.
 * Entries are immutable in use (nobody writes into a loaded data set's arrays).
 */
final class DecodedCache {
  private final long budgetBytes;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long heldBytes;

  private record Entry(LoadedDataset data, long bytes) {}

  /** @param budgetBytes most bytes of decoded data kept; 0 keeps nothing */
  DecodedCache(long budgetBytes) {
    this.budgetBytes = budgetBytes;
  }

  /** The cached data set, or {@code load}'s result (cached when it fits the budget). */
  LoadedDataset get(String id, Supplier<LoadedDataset> load) {
    synchronized (this) {
      Entry hit = entries.get(id);
      if (hit != null) {
        return hit.data();
      }
    }
    LoadedDataset data = load.get();
    offer(id, data);
    return data;
  }

  /**
   * Keeps {@code data} (just decoded elsewhere, for example while an upload was validated) when it
   * fits the budget, so the first job on it does not decode it again.
   */
  void offer(String id, LoadedDataset data) {
    long bytes = sizeOf(data);
    synchronized (this) {
      if (bytes <= budgetBytes && !entries.containsKey(id)) {
        entries.put(id, new Entry(data, bytes));
        heldBytes += bytes;
        Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
        while (heldBytes > budgetBytes && eldest.hasNext()) {
          heldBytes -= eldest.next().getValue().bytes();
          eldest.remove();
        }
      }
    }
  }

  /** Forgets a data set (it was deleted). */
  synchronized void invalidate(String id) {
    Entry gone = entries.remove(id);
    if (gone != null) {
      heldBytes -= gone.bytes();
    }
  }

  /** Bytes held now. */
  synchronized long heldBytes() {
    return heldBytes;
  }

  /** A close estimate of the heap a loaded data set holds. */
  static long sizeOf(LoadedDataset data) {
    if (data instanceof LoadedDataset.Dense dense) {
      return dense.examples().featureBytes()
          + 4L * dense.examples().count()
          + dense.augmentation().map(a -> a.heapBytes()).orElse(0L);
    }
    LoadedDataset.Tabular tab = (LoadedDataset.Tabular) data;
    long rows = tab.table().rowCount();
    long bytes = 0;
    for (FeatureColumn column : tab.table().features()) {
      bytes += column instanceof FeatureColumn.Numeric ? 8 * rows : 8 * rows + 64;
    }
    return bytes + 16 * rows;
  }
}
