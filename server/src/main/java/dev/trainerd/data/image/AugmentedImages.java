package dev.trainerd.data.image;

import dev.trainerd.ml.EpochAugmentation;
import java.util.stream.IntStream;

/**
 * The training view of an image data set with random transforms: each epoch runs the pipeline's
 * steps from the first random one on over the {@linkplain StagedImages staged} images, with
 * draws seeded by (transform seed, job seed, epoch, example index). Examples are transformed in
 * parallel on the common fork-join pool, each into its own row of the output, so the result does
 * not depend on the scheduling.
 */
final class AugmentedImages implements EpochAugmentation {

  private final StagedImages images;
  private final ImagePipeline pipeline;
  private final int featureCount;
  /** Data set index of each row; null for every image in order. */
  private final int[] rows;

  AugmentedImages(StagedImages images, ImagePipeline pipeline, int featureCount) {
    this(images, pipeline, featureCount, null);
  }

  private AugmentedImages(StagedImages images, ImagePipeline pipeline, int featureCount, int[] rows) {
    this.images = images;
    this.pipeline = pipeline;
    this.featureCount = featureCount;
    this.rows = rows;
  }

  @Override
  public int count() {
    return rows == null ? images.count() : rows.length;
  }

  @Override
  public int featureCount() {
    return featureCount;
  }

  @Override
  public void fill(long seed, int epoch, float[] out) {
    int n = count();
    if (out.length != (long) n * featureCount) {
      throw new IllegalArgumentException("out has " + out.length + " values, expected " + n + " x " + featureCount);
    }
    IntStream.range(0, n)
        .parallel()
        .forEach(
            i -> {
              int row = rows == null ? i : rows[i];
              ImageTensor drawn = pipeline.training(images.get(row), seed, epoch, row, "examples[" + row + "]");
              System.arraycopy(drawn.values(), 0, out, i * featureCount, featureCount);
            });
  }

  @Override
  public EpochAugmentation subset(int[] picked) {
    int n = count();
    int[] mapped = new int[picked.length];
    for (int i = 0; i < picked.length; i++) {
      if (picked[i] < 0 || picked[i] >= n) {
        throw new IndexOutOfBoundsException("row " + picked[i] + " outside [0, " + n + ")");
      }
      mapped[i] = rows == null ? picked[i] : rows[picked[i]];
    }
    return new AugmentedImages(images, pipeline, featureCount, mapped);
  }

  @Override
  public long heapBytes() {
    return images.heapBytes() + (rows == null ? 0 : 4L * rows.length);
  }
}
