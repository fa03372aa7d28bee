package dev.trainerd.data.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.data.DatasetFormat;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.ImageOptions;
import dev.trainerd.data.ImageTransform;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.NamedFile;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.EpochAugmentation;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.TrainedModel;
import dev.trainerd.ml.TrainingListener;
import dev.trainerd.ml.TrainingSpec;
import dev.trainerd.ml.tf.TfTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-epoch augmentation of image data sets: the examples hold the deterministic view, the
 * augmentation draws a fresh view per example and epoch from the images kept before the first
 * random step.
 */
class AugmentedImagesTest {
  @TempDir Path dir;

  /** Image {@code n} is 1x3 with pixels {@code 3n, 3n + 1, 3n + 2}; classes alternate. */
  private NamedFile rows(int count) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    for (int n = 0; n < count; n++) {
      entries.put((n % 2 == 0 ? "even/" : "odd/") + n + ".png", TestImages.grayPng(new int[][] {{3 * n, 3 * n + 1, 3 * n + 2}}));
    }
    Path p = dir.resolve("rows.zip");
    Files.write(p, TestImages.zip(entries));
    return new NamedFile("rows.zip", p);
  }

  private static LoadedDataset.Dense parse(NamedFile zip, long seed, ImageTransform... steps) {
    DatasetOptions options =
        DatasetOptions.DEFAULTS.withFormat(DatasetFormat.IMAGE_FOLDER).withImage(new ImageOptions(List.of(steps), seed, null));
    return (LoadedDataset.Dense) new ImageFolderParser(ArchiveLimits.DEFAULTS).parse(List.of(zip), options);
  }

  private static float[] epoch(EpochAugmentation a, long seed, int epoch) {
    float[] out = new float[a.count() * a.featureCount()];
    a.fill(seed, epoch, out);
    return out;
  }

  @Test
  void eachEpochFlipsAFreshSeededHalfOfTheImagesWhileTheExamplesStayUnflipped() throws IOException {
    LoadedDataset.Dense data = parse(rows(40), 3, ImageTransform.randomFlipLeftRight(0.5), ImageTransform.toTensor());
    for (int n = 0; n < 40; n++) {
      assertThat(data.examples().row(n)).containsExactly(new float[] {3 * n / 255f, (3 * n + 1) / 255f, (3 * n + 2) / 255f}, within(1e-7f));
    }
    EpochAugmentation augmentation = data.augmentation().orElseThrow();
    assertThat(augmentation.count()).isEqualTo(40);
    assertThat(augmentation.featureCount()).isEqualTo(3);

    float[] first = epoch(augmentation, 7, 1);
    boolean[] flippedFirst = new boolean[40];
    int flips = 0;
    for (int n = 0; n < 40; n++) {
      float[] row = Arrays.copyOfRange(first, 3 * n, 3 * n + 3);
      float[] plain = data.examples().row(n);
      float[] mirrored = {plain[2], plain[1], plain[0]};
      flippedFirst[n] = Arrays.equals(row, mirrored);
      assertThat(flippedFirst[n] || Arrays.equals(row, plain)).as("row %d is the image or its mirror", n).isTrue();
      flips += flippedFirst[n] ? 1 : 0;
    }
    assertThat(flips).isBetween(8, 32);
    assertThat(epoch(augmentation, 7, 1)).as("same seed and epoch").containsExactly(first);
    assertThat(epoch(augmentation, 7, 2)).as("next epoch").isNotEqualTo(first);
    assertThat(epoch(augmentation, 8, 1)).as("another job seed").isNotEqualTo(first);
    assertThat(epoch(parse(rows(40), 4, ImageTransform.randomFlipLeftRight(0.5), ImageTransform.toTensor())
            .augmentation().orElseThrow(), 7, 1))
        .as("another transform seed")
        .isNotEqualTo(first);
  }

  @Test
  void aSubsetKeepsEachRowsDrawsInTheOrderPicked() throws IOException {
    EpochAugmentation all =
        parse(rows(10), 0, ImageTransform.randomResizedCrop(1, 2, 0.3, 1, 0.5, 3), ImageTransform.randomFlipLeftRight(0.5))
            .augmentation()
            .orElseThrow();
    float[] full = epoch(all, 5, 3);
    int[] picked = {7, 2, 2, 9};
    EpochAugmentation subset = all.subset(picked);
    assertThat(subset.count()).isEqualTo(4);
    float[] part = epoch(subset, 5, 3);
    for (int i = 0; i < picked.length; i++) {
      assertThat(Arrays.copyOfRange(part, 2 * i, 2 * i + 2)).containsExactly(Arrays.copyOfRange(full, 2 * picked[i], 2 * picked[i] + 2));
    }
    float[] nested = epoch(subset.subset(new int[] {3, 0}), 5, 3);
    assertThat(nested).containsExactly(full[18], full[19], full[14], full[15]);
    assertThatThrownBy(() -> all.subset(new int[] {10})).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void randomResizedCropDrawsWindowsForTrainingAndResizesTheWholeImageForTheExamples() throws IOException {
    // 1x3 rows 0,1,2 / 3,4,5 / ...: the deterministic 1x2 view resizes the whole row (source x
    // = (x + .5) * 3/2 - .5 = .25 and 1.75): {3n + .25, 3n + 1.75} rounded to {3n, 3n + 2}.
    LoadedDataset.Dense data = parse(rows(30), 1, ImageTransform.randomResizedCrop(1, 2, 0.3, 0.7, 0.1, 10));
    for (int n = 0; n < 30; n++) {
      assertThat(data.examples().row(n)).containsExactly(3 * n, 3 * n + 2);
    }
    // Training windows are 1 or 2 of the 3 pixels (area 0.3 to 0.7 of 3): each value comes
    // from within the row, and not every draw equals the deterministic view.
    float[] drawn = epoch(data.augmentation().orElseThrow(), 0, 1);
    int differ = 0;
    for (int n = 0; n < 30; n++) {
      assertThat(drawn[2 * n]).isBetween(3f * n, 3f * n + 2);
      assertThat(drawn[2 * n + 1]).isBetween(3f * n, 3f * n + 2);
      differ += drawn[2 * n] == 3 * n && drawn[2 * n + 1] == 3 * n + 2 ? 0 : 1;
    }
    assertThat(differ).isGreaterThan(10);
  }

  @Test
  void drawsThatAreTheIdentityTrainExactlyLikeNoAugmentation() throws IOException {
    // A whole-image square crop of a square image resized to its own size, and a flip with
    // probability 0, leave every pixel as it is: the per-epoch path (staged bytes, draws,
    // re-assigned training features) must then give the very model the plain path gives.
    Map<String, byte[]> entries = new LinkedHashMap<>();
    SplittableRandom noise = new SplittableRandom(1);
    for (int n = 0; n < 60; n++) {
      int[][] pixels = new int[3][3];
      for (int y = 0; y < 3; y++) {
        for (int x = 0; x < 3; x++) {
          // Class "left" is bright on the left column, "right" on the right column.
          boolean bright = n % 2 == 0 ? x == 0 : x == 2;
          pixels[y][x] = (bright ? 180 : 40) + noise.nextInt(60);
        }
      }
      entries.put((n % 2 == 0 ? "left/" : "right/") + n + ".png", TestImages.grayPng(pixels));
    }
    Path p = dir.resolve("squares.zip");
    Files.write(p, TestImages.zip(entries));
    NamedFile zip = new NamedFile("squares.zip", p);
    LoadedDataset.Dense plain = parse(zip, 0, ImageTransform.toTensor());
    LoadedDataset.Dense identity =
        parse(zip, 0, ImageTransform.randomResizedCrop(3, 3, 1, 1, 1, 1), ImageTransform.randomFlipLeftRight(0), ImageTransform.toTensor());
    assertThat(identity.examples().features()).containsExactly(plain.examples().features());
    assertThat(epoch(identity.augmentation().orElseThrow(), 2, 3)).containsExactly(plain.examples().features());

    TrainingSpec spec =
        TrainingSpec.builder()
            .model(new ModelSpec.SoftmaxRegression())
            .loss(new Loss.SoftmaxCrossEntropy(true))
            .learningRate(0.5)
            .batchSize(8)
            .epochs(4)
            .seed(2)
            .build();
    TfTrainer trainer = new TfTrainer();
    TrainedModel withoutDraws =
        trainer.train(spec, plain.examples(), Optional.empty(), TrainingListener.none(),
            CancellationSignal.never());
    TrainedModel withDraws =
        trainer.train(spec, identity.examples(), identity.augmentation(), Optional.empty(),
            TrainingListener.none(), CancellationSignal.never());
    assertThat(withDraws.parameter("dense0/weight").values()).containsExactly(withoutDraws.parameter("dense0/weight").values());
    assertThat(withDraws.history()).extracting(m -> m.trainLoss())
        .containsExactlyElementsOf(withoutDraws.history().stream().map(m -> m.trainLoss()).toList());
    assertThat(withDraws.finalTrain().accuracy()).isGreaterThan(0.9);
  }

  @Test
  void deterministicPipelinesHaveNoAugmentation() throws IOException {
    assertThat(parse(rows(4), 0, ImageTransform.toTensor(), ImageTransform.resize(2, 2)).augmentation()).isEmpty();
  }

  @Test
  void theImagesKeptForAugmentationCountAgainstTheValueLimit() throws IOException {
    // 10 images of 3 values before the crop (30 kept), 1 value after it (10 in the examples).
    DatasetOptions options =
        DatasetOptions.DEFAULTS
            .withFormat(DatasetFormat.IMAGE_FOLDER)
            .withImage(new ImageOptions(List.of(ImageTransform.randomResizedCrop(1, 1, 0.3, 1, 0.1, 10)), 0, null));
    ArchiveLimits limits = new ArchiveLimits(100, 1 << 20, 1 << 20, 100, 20);
    NamedFile zip = rows(10);
    assertThatThrownBy(() -> new ImageFolderParser(limits).parse(List.of(zip), options))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessageContaining("per-epoch augmentation");
  }
}
