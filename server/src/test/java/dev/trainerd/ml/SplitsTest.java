package dev.trainerd.ml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest {

  @Test
  void contiguousFoldsAreTheBooksSlices() {
    // n = 10, k = 3: fold size 3; row 9 is in no fold, as the book's get_k_fold_data drops it.
    List<Splits.Split> folds = Splits.kFold(10, Folds.contiguous(3));
    assertThat(folds).hasSize(3);
    assertThat(folds.get(0).validation()).containsExactly(0, 1, 2);
    assertThat(folds.get(0).train()).containsExactly(3, 4, 5, 6, 7, 8);
    assertThat(folds.get(1).validation()).containsExactly(3, 4, 5);
    assertThat(folds.get(1).train()).containsExactly(0, 1, 2, 6, 7, 8);
    assertThat(folds.get(2).validation()).containsExactly(6, 7, 8);
    assertThat(folds.get(2).train()).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void shuffledFoldsPartitionASeededPermutation() {
    List<Splits.Split> a = Splits.kFold(20, new Folds(4, true, 5));
    List<Splits.Split> b = Splits.kFold(20, new Folds(4, true, 5));
    int[] all = a.stream().flatMapToInt(s -> Arrays.stream(s.validation())).sorted().toArray();
    assertThat(all).containsExactly(IntStream.range(0, 20).toArray());
    assertThat(a.get(2).validation()).containsExactly(b.get(2).validation());
    assertThat(a.get(0).validation()).isNotEqualTo(new int[] {0, 1, 2, 3, 4});
  }

  @Test
  void holdoutIsSeededSortedAndDisjoint() {
    Splits.Split s = Splits.holdout(100, 0.2, 3);
    assertThat(s.validation()).hasSize(20).isSorted();
    assertThat(s.train()).hasSize(80).isSorted();
    assertThat(IntStream.concat(Arrays.stream(s.train()), Arrays.stream(s.validation())).sorted().toArray())
        .containsExactly(IntStream.range(0, 100).toArray());
    assertThat(Splits.holdout(100, 0.2, 3).validation()).containsExactly(s.validation());
  }

  @Test
  void foldsValidateK() {
    assertThat(Folds.contiguous(1).validate(10)).extracting(v -> v.field()).containsExactly("folds.k");
    assertThat(Folds.contiguous(11).validate(10)).extracting(v -> v.field()).containsExactly("folds.k");
    assertThat(Folds.contiguous(10).validate(10)).isEmpty();
  }

  @Test
  void subsetCopiesRowsAndLabelsInOrder() {
    Examples e = new Examples(3, 2, new float[] {0, 1, 10, 11, 20, 21}, new Examples.Labels.Classes(new int[] {0, 1, 2}, 3));
    Examples s = e.subset(new int[] {2, 0, 2});
    assertThat(s.features()).containsExactly(20, 21, 0, 1, 20, 21);
    assertThat(((Examples.Labels.Classes) s.labels()).values()).containsExactly(2, 0, 2);
    assertThat(((Examples.Labels.Classes) s.labels()).classCount()).isEqualTo(3);
    Examples r = new Examples(2, 1, new float[] {5, 6}, new Examples.Labels.Regression(new float[] {0.5f, 0.6f}));
    assertThat(((Examples.Labels.Regression) r.subset(new int[] {1}).labels()).values()).containsExactly(0.6f);
  }
}
