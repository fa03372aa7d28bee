package dev.trainerd.data.image;

import dev.trainerd.data.LoadedDataset;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.EpochAugmentation;
import dev.trainerd.ml.Examples;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Runs the pipeline over decoded images and collects their deterministic views as flattened CHW
 * rows with their labels, checking that every image has the shape of the first and that the data
 * set stays under the value limit. When the pipeline has random steps it also keeps every image
 * as it is before the first of them ({@link StagedImages}, under the same limit), from which
 * training draws each epoch's augmentation.
 */
final class ImageRows {

  private final ImagePipeline pipeline;
  private final long maxTotalValues;
  private final String datasetField;
  private final StagedImages staged;
  private float[] features = new float[0];
  private int[] labels = new int[0];
  private int count;
  private ImageTensor first;
  private String firstName;

  /**
   * @param maxTotalValues most floats over all rows
   * @param datasetField field for data-set-wide problems, such as {@code files[a.zip]}
   */
  ImageRows(ImagePipeline pipeline, long maxTotalValues, String datasetField) {
    this.pipeline = pipeline;
    this.maxTotalValues = maxTotalValues;
    this.datasetField = datasetField;
    this.staged = pipeline.isRandom() ? new StagedImages() : null;
  }

  int count() {
    return count;
  }

  /**
   * Transforms one decoded image and appends it.
   *
   * @param name the image's name in messages
   * @param field the violation field naming the image
   */
  void add(ImageTensor decoded, int label, String name, String field) {
    ImageTensor prefixed = pipeline.prefix(decoded, field);
    ImageTensor image = pipeline.evaluation(prefixed, field);
    if (first == null) {
      first = image;
      firstName = name;
    } else if (image.channels() != first.channels() || image.height() != first.height() || image.width() != first.width()) {
      throw TrainerdException.InvalidArgument.of(
          field,
          name + " is " + image.shape() + " (CxHxW) after the transforms but " + firstName + " is " + first.shape()
              + "; all images must share size and channels (add resize or center_crop, or convert the images)");
    }
    int size = image.values().length;
    long needed = (long) (count + 1) * size;
    if (needed > maxTotalValues || needed > Integer.MAX_VALUE - 8) {
      throw TrainerdException.InvalidArgument.of(
          datasetField,
          "expands to more than " + Math.min(maxTotalValues, Integer.MAX_VALUE - 8)
              + " feature values after the transforms; use fewer or smaller images");
    }
    if (needed > features.length) {
      long grown = Math.max(needed, Math.min((long) features.length * 2, Integer.MAX_VALUE - 8));
      features = Arrays.copyOf(features, (int) Math.min(grown, Integer.MAX_VALUE - 8));
    }
    if (count == labels.length) {
      labels = Arrays.copyOf(labels, Math.max(16, labels.length * 2));
    }
    if (staged != null) {
      if (staged.totalValues() + prefixed.values().length > maxTotalValues) {
        throw TrainerdException.InvalidArgument.of(
            datasetField,
            "keeps more than " + maxTotalValues + " values for per-epoch augmentation (the images before the first random"
                + " transform); resize or crop them before it, or use fewer images");
      }
      staged.add(prefixed);
    }
    System.arraycopy(image.values(), 0, features, count * size, size);
    labels[count++] = label;
  }

  /**
   * The data set: the deterministic examples, with labels mapped through {@code classOf} (from
   * arrival index to class index), and the per-epoch augmentation when the pipeline is random.
   *
   * @param classNames the class names by class index
   * @throws TrainerdException.InvalidArgument when there are no images
   */
  LoadedDataset.Dense build(int[] classOf, List<String> classNames) {
    int classCount = classNames.size();
    if (count == 0) {
      throw TrainerdException.InvalidArgument.of(datasetField, "holds no images");
    }
    if (classCount < 2) {
      throw TrainerdException.InvalidArgument.of(
          datasetField, "holds images of one class only; classification needs at least two classes");
    }
    int size = first.values().length;
    int[] classes = new int[count];
    for (int i = 0; i < count; i++) {
      classes[i] = classOf == null ? labels[i] : classOf[labels[i]];
    }
    float[] exact = features.length == count * size ? features : Arrays.copyOf(features, count * size);
    features = null;
    Examples examples = new Examples(count, size, exact, new Examples.Labels.Classes(classes, classCount));
    Optional<EpochAugmentation> augmentation =
        staged == null ? Optional.empty() : Optional.of(new AugmentedImages(staged, pipeline, size));
    return new LoadedDataset.Dense(examples, classNames, augmentation);
  }
}
