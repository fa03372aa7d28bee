package dev.trainerd.ml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Index arrays for holdout and K-fold splits; combine with {@link Examples#subset(int[])}. */
public final class Splits {

  private Splits() {}

  /**
   * Training and held-out indices of one split.
   *
   * @param train indices to train on, ascending unless shuffled
   * @param validation held-out indices
   */
  public record Split(int[] train, int[] validation) {}

  /**
   * A seeded random holdout: {@code round(count * fraction)} examples (at least one, at most
   * {@code count - 1}) held out; both index arrays are sorted ascending.
   *
   * @param fraction held-out share, in (0, 1)
   */
  public static Split holdout(int count, double fraction, long seed) {
    if (count < 2) {
      throw new IllegalArgumentException("holdout needs at least 2 examples, got " + count);
    }
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("fraction must be in (0, 1), was " + fraction);
    }
    int held = (int) Math.max(1, Math.min(count - 1, Math.round(count * fraction)));
    int[] perm = permutation(count, seed);
    int[] validation = Arrays.copyOfRange(perm, 0, held);
    int[] train = Arrays.copyOfRange(perm, held, count);
    Arrays.sort(validation);
    Arrays.sort(train);
    return new Split(train, validation);
  }

  /**
   * The K splits of {@link Folds}: fold {@code i} validates on slice {@code i} of size
   * {@code count / k} and trains on the other slices in order (the book's {@code get_k_fold_data}).
   */
  public static List<Split> kFold(int count, Folds folds) {
    int k = folds.k();
    if (k < 2 || k > count) {
      throw new IllegalArgumentException("k must be in [2, " + count + "], was " + k);
    }
    int[] order = folds.shuffle() ? permutation(count, folds.seed()) : identity(count);
    int foldSize = count / k;
    List<Split> out = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      int[] validation = Arrays.copyOfRange(order, i * foldSize, (i + 1) * foldSize);
      int[] train = new int[(k - 1) * foldSize];
      int at = 0;
      for (int j = 0; j < k; j++) {
        if (j != i) {
          System.arraycopy(order, j * foldSize, train, at, foldSize);
          at += foldSize;
        }
      }
      out.add(new Split(train, validation));
    }
    return out;
  }

  /** A seeded Fisher-Yates permutation of {@code 0..count-1}. */
  public static int[] permutation(int count, long seed) {
    int[] perm = identity(count);
    shuffle(perm, new SplittableRandom(seed));
    return perm;
  }

  /** Shuffles {@code values} in place (Fisher-Yates). */
  public static void shuffle(int[] values, SplittableRandom random) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }

  /** {@code 0, 1, ..., count - 1}. */
  public static int[] identity(int count) {
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = i;
    }
    return out;
  }
}
