package dev.trainerd.ml.tf;

import dev.trainerd.ml.EpochAugmentation;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One job's per-epoch augmented training features, drawn one epoch ahead on a background thread
 * while the current epoch trains. One buffer is enough: the graph copies the features into its
 * resident variable when they are assigned, so the buffer is free to take the next epoch's draw
 * as soon as the assignment returns.
 */
final class EpochFeatures implements AutoCloseable {

  private final EpochAugmentation source;
  private final long seed;
  private final float[] buffer;
  private final ExecutorService background;
  private Future<?> pending;
  private int pendingEpoch;

  /** @param seed the job's seed */
  EpochFeatures(EpochAugmentation source, long seed) {
    this.source = source;
    this.seed = seed;
    this.buffer = new float[Math.multiplyExact(source.count(), source.featureCount())];
    this.background =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "trainerd-augmentation");
              t.setDaemon(true);
              return t;
            });
  }

  /** Draws {@code epoch}'s features now, on the calling thread. */
  float[] drawNow(int epoch) {
    awaitPending();
    source.fill(seed, epoch, buffer);
    return buffer;
  }

  /**
   * Starts drawing {@code epoch}'s features in the background. The buffer handed out before must
   * no longer be needed (it has been assigned to the graph).
   */
  void drawAhead(int epoch) {
    awaitPending();
    pendingEpoch = epoch;
    pending = background.submit(() -> source.fill(seed, epoch, buffer));
  }

  /** {@code epoch}'s features: the background draw, waited for, or drawn now if none was started. */
  float[] take(int epoch) {
    if (pending == null || pendingEpoch != epoch) {
      return drawNow(epoch);
    }
    awaitPending();
    return buffer;
  }

  private void awaitPending() {
    if (pending == null) {
      return;
    }
    Future<?> f = pending;
    pending = null;
    boolean interrupted = false;
    try {
      while (true) {
        try {
          f.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for a draw still running (so no work outlives the job) and stops the thread. */
  @Override
  public void close() {
    try {
      awaitPending();
    } catch (RuntimeException ignored) {
      // The job is ending anyway (often because of this very failure, already reported).
    } finally {
      background.shutdown();
    }
  }
}
