package dev.trainerd.data.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.data.ImageOptions;
import dev.trainerd.data.ImageTransform;
import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImagePipelineTest {

  /** The deterministic view (evaluation, validation, test, prediction). */
  private static ImageTensor apply(ImageTensor image, ImageTransform... steps) {
    return new ImagePipeline(new ImageOptions(List.of(steps), 0, null)).apply(image, "files[x]");
  }

  /** The training view of example {@code index} in {@code epoch}. */
  private static ImageTensor train(
      ImageTensor image, long transformSeed, long jobSeed, int epoch, int index, ImageTransform... steps) {
    ImagePipeline pipeline = new ImagePipeline(new ImageOptions(List.of(steps), transformSeed, null));
    return pipeline.training(pipeline.prefix(image, "files[x]"), jobSeed, epoch, index, "files[x]");
  }

  /** The training view, job seed 0 and epoch 1. */
  private static ImageTensor train(ImageTensor image, long transformSeed, int index, ImageTransform... steps) {
    return train(image, transformSeed, 0, 1, index, steps);
  }

  /** A one-channel 4x4 image holding 0..15 row by row. */
  private static ImageTensor ramp4x4(boolean tensor) {
    float[] v = new float[16];
    for (int i = 0; i < 16; i++) {
      v[i] = i;
    }
    return new ImageTensor(1, 4, 4, v, tensor);
  }

  @Test
  void toTensorScalesPixelValuesToTheUnitInterval() {
    // R plane [0, 255], G plane [51, 102], B plane [204, 153] of a 1x2 image.
    ImageTensor rgb = new ImageTensor(3, 1, 2, new float[] {0, 255, 51, 102, 204, 153}, false);
    ImageTensor out = apply(rgb, ImageTransform.toTensor());
    assertThat(out.isTensor()).isTrue();
    assertThat(out.values()).containsExactly(new float[] {0f, 1f, 0.2f, 0.4f, 0.8f, 0.6f}, within(1e-6f));
  }

  @Test
  void normalizeSubtractsTheMeanAndDividesByTheStdPerChannel() {
    ImageTensor rgb = new ImageTensor(3, 1, 2, new float[] {0, 255, 51, 102, 204, 153}, false);
    ImageTensor out =
        apply(rgb, ImageTransform.toTensor(), ImageTransform.normalize(List.of(0.5, 0.2, 0.6), List.of(0.5, 0.2, 0.2)));
    // R: (0 - .5)/.5, (1 - .5)/.5; G: (.2 - .2)/.2, (.4 - .2)/.2; B: (.8 - .6)/.2, (.6 - .6)/.2.
    assertThat(out.values()).containsExactly(new float[] {-1, 1, 0, 1, 1, 0}, within(1e-5f));
    ImageTensor oneForAll = apply(rgb, ImageTransform.toTensor(), ImageTransform.normalize(List.of(0.5), List.of(0.5)));
    assertThat(oneForAll.values()).containsExactly(new float[] {-1, 1, -0.6f, -0.2f, 0.6f, 0.2f}, within(1e-5f));
  }

  @Test
  void normalizeWithTheWrongNumberOfChannelsNamesTheImage() {
    ImageTensor gray = new ImageTensor(1, 1, 1, new float[] {1}, true);
    assertThatThrownBy(() -> apply(gray, ImageTransform.normalize(List.of(0.1, 0.2, 0.3), List.of(1.0, 1.0, 1.0))))
        .isInstanceOfSatisfying(
            TrainerdException.InvalidArgument.class,
            e -> assertThat(e.violations()).extracting(FieldViolation::field).containsExactly("files[x]"));
  }

  @Test
  void resizeIsBilinearWithHalfPixelCentres() {
    // 1x2 [0, 100] to 1x4: source x = (x + .5) / 2 - .5 = -.25 (clamped to 0), .25, .75, 1.25 (clamped to 1).
    ImageTensor row = new ImageTensor(1, 1, 2, new float[] {0, 100}, true);
    assertThat(apply(row, ImageTransform.resize(1, 4)).values()).containsExactly(0f, 25f, 75f, 100f);
    // 2x2 to 1x1 samples the centre (.5, .5): the mean of the four.
    ImageTensor square = new ImageTensor(1, 2, 2, new float[] {0, 10, 20, 30}, true);
    assertThat(apply(square, ImageTransform.resize(1, 1)).values()).containsExactly(15f);
    // Before to_tensor the values stay whole pixel values: 25.25 -> 25, 75.75 -> 76.
    ImageTensor bytes = new ImageTensor(1, 1, 2, new float[] {0, 101}, false);
    assertThat(apply(bytes, ImageTransform.resize(1, 4)).values()).containsExactly(0f, 25f, 76f, 101f);
  }

  @Test
  void centerCropTakesTheMiddleWindowRoundingOffsetsDown() {
    assertThat(apply(ramp4x4(false), ImageTransform.centerCrop(2, 2)).values()).containsExactly(5f, 6f, 9f, 10f);
    // (4 - 3) / 2 = 0: the window starts at the top-left corner.
    assertThat(apply(ramp4x4(false), ImageTransform.centerCrop(3, 3)).values())
        .containsExactly(0f, 1f, 2f, 4f, 5f, 6f, 8f, 9f, 10f);
    assertThat(apply(ramp4x4(false), ImageTransform.centerCrop(1, 4)).values()).containsExactly(4f, 5f, 6f, 7f);
  }

  @Test
  void centerCropLargerThanTheImageNamesIt() {
    assertThatThrownBy(() -> apply(ramp4x4(false), ImageTransform.centerCrop(5, 2)))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessageContaining("files[x]")
        .hasMessageContaining("4x4");
  }

  @Test
  void flipMirrorsEveryRowOfEveryChannel() {
    ImageTensor image = new ImageTensor(2, 2, 3, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, false);
    assertThat(train(image, 0, 0, ImageTransform.randomFlipLeftRight(1)).values())
        .containsExactly(2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9);
    assertThat(train(image, 0, 0, ImageTransform.randomFlipLeftRight(0)).values())
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
  }

  @Test
  void randomFlipIsSeededPerExample() {
    ImageTensor image = new ImageTensor(1, 1, 2, new float[] {1, 2}, false);
    boolean[] first = new boolean[400];
    int flipped = 0;
    for (int i = 0; i < first.length; i++) {
      first[i] = train(image, 7, i, ImageTransform.randomFlipLeftRight(0.5)).values()[0] == 2f;
      flipped += first[i] ? 1 : 0;
      assertThat(train(image, 7, i, ImageTransform.randomFlipLeftRight(0.5)).values()[0] == 2f).isEqualTo(first[i]);
    }
    assertThat(flipped).isBetween(140, 260);
    int differ = 0;
    for (int i = 0; i < first.length; i++) {
      differ += (train(image, 8, i, ImageTransform.randomFlipLeftRight(0.5)).values()[0] == 2f) != first[i] ? 1 : 0;
    }
    assertThat(differ).isGreaterThan(100);
  }

  @Test
  void randomResizedCropOfTheWholeImageIsAResize() {
    // Scale and ratio 1: the window is the whole 4x4 image; 2x2 output averages each 2x2 block.
    ImageTensor out = train(ramp4x4(true), 3, 5, ImageTransform.randomResizedCrop(2, 2, 1, 1, 1, 1));
    assertThat(out.values()).containsExactly(2.5f, 4.5f, 10.5f, 12.5f);
  }

  @Test
  void randomResizedCropPicksASeededWindowOfTheRequestedArea() {
    // Area 1/4 and ratio 1 on 4x4: a 2x2 window; resizing 2x2 to 2x2 copies it.
    java.util.Set<Float> corners = new java.util.HashSet<>();
    for (int index = 0; index < 50; index++) {
      ImageTensor out = train(ramp4x4(true), 11, index, ImageTransform.randomResizedCrop(2, 2, 0.25, 0.25, 1, 1));
      float corner = out.values()[0];
      assertThat(out.values()).containsExactly(corner, corner + 1, corner + 4, corner + 5);
      assertThat(corner % 4).isLessThanOrEqualTo(2f);
      assertThat(corner).isLessThanOrEqualTo(10f);
      assertThat(train(ramp4x4(true), 11, index, ImageTransform.randomResizedCrop(2, 2, 0.25, 0.25, 1, 1)).values())
          .containsExactly(out.values());
      corners.add(corner);
    }
    assertThat(corners).hasSizeGreaterThan(4); // all nine positions are possible
  }

  @Test
  void randomResizedCropFallsBackToTheCentreWhenNoDrawFits() {
    // Ratio 4 cannot fit a 4x4 image at full area; fallback: ratio 1 is below min_ratio 4, so
    // the window is the full width and height round(4 / 4) = 1, centred at row (4 - 1) / 2 = 1.
    ImageTensor out = train(ramp4x4(true), 0, 0, ImageTransform.randomResizedCrop(1, 4, 1, 1, 4, 4));
    assertThat(out.values()).containsExactly(4f, 5f, 6f, 7f);
  }

  @Test
  void castToFloat32KeepsTheValues() {
    assertThat(apply(ramp4x4(false), ImageTransform.castFloat32()).values()).containsExactly(ramp4x4(false).values());
  }

  @Test
  void stepsApplyInOrder() {
    ImageTransform[] steps = {
      ImageTransform.centerCrop(2, 2),
      ImageTransform.randomFlipLeftRight(1),
      ImageTransform.toTensor(),
      ImageTransform.normalize(List.of(5 / 255.0), List.of(1 / 255.0))
    };
    // Training: crop the middle 2x2 (5, 6, 9, 10), flip it (6, 5, 10, 9), scale, normalise around 5/255.
    assertThat(train(ramp4x4(false), 0, 0, steps).values()).containsExactly(new float[] {1, 0, 5, 4}, within(1e-4f));
    // Evaluation: the same without the flip.
    assertThat(apply(ramp4x4(false), steps).values()).containsExactly(new float[] {0, 1, 4, 5}, within(1e-4f));
  }

  @Test
  void evaluationSkipsTheFlipAndResizesTheWholeImageForRandomResizedCrop() {
    ImageTensor image = new ImageTensor(1, 1, 3, new float[] {1, 2, 3}, false);
    assertThat(apply(image, ImageTransform.randomFlipLeftRight(1)).values()).containsExactly(1, 2, 3);
    // Whatever the scale and ratio ranges, the whole 4x4 image is resized to 2x2: the mean of each 2x2 block.
    for (ImageTransform crop :
        List.of(
            ImageTransform.randomResizedCrop(2, 2, 0.08, 1, 0.75, 4 / 3.0),
            ImageTransform.randomResizedCrop(2, 2, 0.25, 0.25, 1, 1),
            ImageTransform.randomResizedCrop(2, 2, 1, 1, 4, 4))) {
      assertThat(apply(ramp4x4(true), crop).values()).containsExactly(2.5f, 4.5f, 10.5f, 12.5f);
      assertThat(apply(ramp4x4(true), crop).values()).containsExactly(apply(ramp4x4(true), ImageTransform.resize(2, 2)).values());
    }
    // 4x4 pixel values to 1x4: rows average to 6 and rounded whole pixel values before to_tensor.
    assertThat(apply(ramp4x4(false), ImageTransform.randomResizedCrop(1, 4, 0.1, 0.5, 1, 2)).values())
        .containsExactly(6f, 7f, 8f, 9f);
  }

  @Test
  void trainingViewIsDrawnAfreshEachEpochAndRepeatsForTheSameSeeds() {
    ImageTransform[] steps = {
      ImageTransform.randomResizedCrop(2, 2, 0.25, 0.25, 1, 1), ImageTransform.randomFlipLeftRight(0.5)
    };
    int differentEpochs = 0;
    int differentJobSeeds = 0;
    for (int index = 0; index < 40; index++) {
      float[] epoch1 = train(ramp4x4(true), 5, 9, 1, index, steps).values();
      assertThat(train(ramp4x4(true), 5, 9, 1, index, steps).values()).containsExactly(epoch1);
      differentEpochs += java.util.Arrays.equals(train(ramp4x4(true), 5, 9, 2, index, steps).values(), epoch1) ? 0 : 1;
      differentJobSeeds += java.util.Arrays.equals(train(ramp4x4(true), 5, 10, 1, index, steps).values(), epoch1) ? 0 : 1;
      // Every draw is a 2x2 window of the ramp, maybe mirrored: {c, c+1, c+4, c+5} or {c+1, c, c+5, c+4}.
      float c = Math.min(epoch1[0], epoch1[1]);
      boolean mirrored = epoch1[0] > epoch1[1];
      assertThat(epoch1).containsExactly(mirrored ? new float[] {c + 1, c, c + 5, c + 4} : new float[] {c, c + 1, c + 4, c + 5});
    }
    // 9 windows x 2 flips: a repeat by chance has probability 1/18.
    assertThat(differentEpochs).isGreaterThan(30);
    assertThat(differentJobSeeds).isGreaterThan(30);
  }

  @Test
  void prefixStopsBeforeTheFirstRandomStep() {
    ImagePipeline pipeline =
        new ImagePipeline(
            new ImageOptions(
                List.of(ImageTransform.centerCrop(2, 2), ImageTransform.randomFlipLeftRight(1), ImageTransform.toTensor()),
                0,
                null));
    assertThat(pipeline.isRandom()).isTrue();
    ImageTensor prefixed = pipeline.prefix(ramp4x4(false), "files[x]");
    assertThat(prefixed.values()).containsExactly(5f, 6f, 9f, 10f);
    assertThat(prefixed.isTensor()).isFalse();
    ImagePipeline fixed = new ImagePipeline(new ImageOptions(List.of(ImageTransform.centerCrop(2, 2)), 0, null));
    assertThat(fixed.isRandom()).isFalse();
    assertThat(fixed.prefix(ramp4x4(false), "files[x]").values()).containsExactly(5f, 6f, 9f, 10f);
  }

  @Test
  void optionsRejectBadParametersAndOrder() {
    ImageOptions options =
        new ImageOptions(
            List.of(
                ImageTransform.normalize(List.of(0.5), List.of(0.0)),
                ImageTransform.toTensor(),
                ImageTransform.toTensor(),
                ImageTransform.resize(0, 5000),
                ImageTransform.randomResizedCrop(2, 2, 0, 2, 2, 1),
                ImageTransform.randomFlipLeftRight(1.5)),
            0,
            null);
    assertThat(options.violations())
        .extracting(FieldViolation::field)
        .containsExactlyInAnyOrder(
            "transforms[0].normalize.std[0]",
            "transforms[0].normalize",
            "transforms[2].to_tensor",
            "transforms[3].resize.height",
            "transforms[3].resize.width",
            "transforms[4].random_resized_crop.min_scale",
            "transforms[4].random_resized_crop.max_scale",
            "transforms[4].random_resized_crop.max_ratio",
            "transforms[5].random_flip_left_right.probability");
  }
}
