package dev.trainerd.ml;

/**
 * Fresh training features for every epoch: random data augmentation (random crops, flips) drawn
 * anew per example and epoch, as gluon's and torchvision's data loaders do. It stands beside the
 * training {@link Examples}, which hold the deterministic view of the same rows (what evaluation,
 * validation and prediction see); the labels are the examples' and never change.
 *
 * <p>Implementations are immutable and thread-safe: a trainer may prepare epoch {@code e + 1}
 * on another thread while epoch {@code e} trains.
 */
public interface EpochAugmentation {

  /** Number of rows; equals the training examples' count. */
  int count();

  /** Features per row; equals the training examples' feature count. */
  int featureCount();

  /**
   * Writes the augmented features of every row for one epoch into {@code out}, row-major. The
   * values depend only on ({@code seed}, {@code epoch}, the row's example) and the
   * implementation's own settings: the same arguments always give the same values, another
   * epoch gives another draw.
   *
   * @param seed the job's seed
   * @param epoch the epoch, from 1
   * @param out {@code count() * featureCount()} floats, overwritten
   */
  void fill(long seed, int epoch, float[] out);

  /**
   * The same augmentation over the rows at {@code rows}, in that order (as {@link
   * Examples#subset(int[])} picks examples): a row keeps its draws whichever subset holds it.
   *
   * @throws IndexOutOfBoundsException when an index is outside {@code [0, count())}
   */
  EpochAugmentation subset(int[] rows);

  /** A close estimate of the heap this source holds, for cache budgets. */
  long heapBytes();
}
