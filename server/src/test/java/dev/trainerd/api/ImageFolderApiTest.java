package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.bench.StreamingUpload;
import dev.trainerd.data.SharedData;
import dev.trainerd.data.idx.IdxReader;
import dev.trainerd.ml.Examples;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetFormat;
import dev.trainerd.v1.EpochMetrics;
import dev.trainerd.v1.ImageTransform;
import dev.trainerd.v1.EvaluateModelRequest;
import dev.trainerd.v1.EvaluationMetrics;
import dev.trainerd.v1.FeatureVector;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.PredictRequest;
import dev.trainerd.v1.PredictResponse;
import dev.trainerd.v1.PredictionInput;
import dev.trainerd.v1.RandomFlipLeftRightTransform;
import dev.trainerd.v1.RandomResizedCropTransform;
import dev.trainerd.v1.SoftmaxRegression;
import dev.trainerd.v1.Split;
import dev.trainerd.v1.TaskType;
import dev.trainerd.v1.ToTensorTransform;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.UploadDatasetMetadata;
import dev.trainerd.v1.WatchTrainingJobRequest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users arrive with folders of images: Fashion-MNIST written out as PNGs in class folders {@code
 * 0}..{@code 9}, zipped, uploaded as IMAGE_FOLDER with a to_tensor transform, and trained with
 * the chapter's softmax regression (lr 0.1, batch 256, 10 epochs) through the API; and the same
 * with random augmentation, drawn afresh each epoch for training only.
 */
class ImageFolderApiTest {
  @TempDir Path dir;
  /** The PNG archives, written once for both tests. */
  @TempDir static Path archives;

  private static final int TRAIN_IMAGES = 12_000;
  private static final int TEST_IMAGES = 2_000;
  private static Path trainZip;
  private static Path testZip;

  @BeforeAll
  static void writeArchives() throws IOException {
    trainZip = pngZip("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", TRAIN_IMAGES, archives.resolve("train.zip"));
    testZip = pngZip("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", TEST_IMAGES, archives.resolve("test.zip"));
  }

  /** The first {@code count} images of an IDX pair as PNGs in class folders of one zip. */
  private static Path pngZip(String images, String labels, int count, Path out) throws IOException {
    Examples examples;
    try (InputStream i = Files.newInputStream(SharedData.fashionMnist(images));
        InputStream l = Files.newInputStream(SharedData.fashionMnist(labels))) {
      examples = IdxReader.read(i, l);
    }
    int[] classes = ((Examples.Labels.Classes) examples.labels()).values();
    try (OutputStream file = Files.newOutputStream(out);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      for (int n = 0; n < count; n++) {
        float[] row = examples.row(n);
        for (int p = 0; p < 784; p++) {
          image.getRaster().setSample(p % 28, p / 28, 0, Math.round(row[p] * 255));
        }
        png.reset();
        ImageIO.write(image, "png", png);
        zip.putNextEntry(new ZipEntry("fashion/" + classes[n] + "/" + n + ".png"));
        png.writeTo(zip);
        zip.closeEntry();
      }
    }
    return out;
  }

  private static UploadDatasetMetadata metadata(String name) {
    return UploadDatasetMetadata.newBuilder()
        .setDisplayName(name)
        .setFormat(DatasetFormat.IMAGE_FOLDER)
        .addTransforms(ImageTransform.newBuilder().setToTensor(ToTensorTransform.getDefaultInstance()))
        .build();
  }

  @Test
  void softmaxRegressionOnFashionMnistPngsReachesTheBooksAccuracy() throws Exception {
    try (InProcessTrainerd server = new InProcessTrainerd(dir.resolve("data"))) {
      Dataset train = StreamingUpload.upload(server.channel, metadata("fashion png train"), List.of(trainZip));
      Dataset test = StreamingUpload.upload(server.channel, metadata("fashion png test"), List.of(testZip));
      assertThat(train.getFormat()).isEqualTo(DatasetFormat.IMAGE_FOLDER);
      assertThat(train.getExampleCount()).isEqualTo(TRAIN_IMAGES);
      assertThat(train.getFeatureCount()).isEqualTo(784);
      assertThat(train.getTask()).isEqualTo(TaskType.CLASSIFICATION);
      assertThat(train.getClassNamesList()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
      assertThat(test.getExampleCount()).isEqualTo(TEST_IMAGES);

      // The same bytes without the transform are another data set.
      Dataset raw =
          StreamingUpload.upload(
              server.channel, metadata("raw").toBuilder().clearTransforms().build(), List.of(testZip));
      assertThat(raw.getName()).isNotEqualTo(test.getName());

      TrainingJob job =
          server.training.createTrainingJob(
              CreateTrainingJobRequest.newBuilder()
                  .setDisplayName("softmax on png folders")
                  .setSpec(
                      TrainingJobSpec.newBuilder()
                          .setDataset(train.getName())
                          .setSplit(Split.newBuilder().setTestDataset(test.getName()))
                          .setModel(ModelSpec.newBuilder().setSoftmax(SoftmaxRegression.getDefaultInstance()))
                          .setLearningRate(0.1)
                          .setBatchSize(256)
                          .setEpochs(10)
                          .setSeed(0))
                  .build());
      List<TrainingJobEvent> events = new ArrayList<>();
      server.training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(job.getName()).build())
          .forEachRemaining(events::add);
      TrainingJob done = events.get(events.size() - 1).getStateChange().getJob();
      assertThat(done.getState()).as("%s", done.getError()).isEqualTo(TrainingJob.State.SUCCEEDED);
      EpochMetrics last =
          events.stream().filter(TrainingJobEvent::hasEpoch).map(TrainingJobEvent::getEpoch).reduce((a, b) -> b).orElseThrow();
      double accuracy = last.getEvaluation().getAccuracy();
      System.out.printf(
          "fashion-mnist from PNG folders (%d train, %d test): epoch %d test accuracy %.4f%n",
          TRAIN_IMAGES, TEST_IMAGES, last.getEpoch(), accuracy);
      assertThat(last.getEpoch()).isEqualTo(10);
      assertThat(accuracy).as("test accuracy after 10 epochs").isGreaterThanOrEqualTo(0.80);
    }
  }

  /**
   * Random crop (square windows of 80-100 % of the area, resized back to 28x28), random flip,
   * to_tensor. Square windows: aspect jitter costs a linear model a few points more.
   */
  private static UploadDatasetMetadata augmented(String name) {
    return metadata(name).toBuilder()
        .clearTransforms()
        .addTransforms(
            ImageTransform.newBuilder()
                .setRandomResizedCrop(
                    RandomResizedCropTransform.newBuilder()
                        .setHeight(28)
                        .setWidth(28)
                        .setMinScale(0.8)
                        .setMaxScale(1)
                        .setMinRatio(1)
                        .setMaxRatio(1)))
        .addTransforms(ImageTransform.newBuilder().setRandomFlipLeftRight(RandomFlipLeftRightTransform.getDefaultInstance()))
        .addTransforms(ImageTransform.newBuilder().setToTensor(ToTensorTransform.getDefaultInstance()))
        .setTransformSeed(5)
        .build();
  }

  private static List<TrainingJobEvent> trainToTheEnd(InProcessTrainerd server, String train, String test, int epochs) {
    TrainingJob job =
        server.training.createTrainingJob(
            CreateTrainingJobRequest.newBuilder()
                .setDisplayName("softmax on augmented png folders")
                .setSpec(
                    TrainingJobSpec.newBuilder()
                        .setDataset(train)
                        .setSplit(Split.newBuilder().setTestDataset(test))
                        .setModel(ModelSpec.newBuilder().setSoftmax(SoftmaxRegression.getDefaultInstance()))
                        .setLearningRate(0.1)
                        .setBatchSize(256)
                        .setEpochs(epochs)
                        .setSeed(3))
                .build());
    List<TrainingJobEvent> events = new ArrayList<>();
    server.training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(job.getName()).build())
        .forEachRemaining(events::add);
    TrainingJob done = events.get(events.size() - 1).getStateChange().getJob();
    assertThat(done.getState()).as("%s", done.getError()).isEqualTo(TrainingJob.State.SUCCEEDED);
    return events;
  }

  private static List<EpochMetrics> epochs(List<TrainingJobEvent> events) {
    return events.stream().filter(TrainingJobEvent::hasEpoch).map(TrainingJobEvent::getEpoch).toList();
  }

  @Test
  void randomAugmentationTrainsPerEpochAndLeavesEvaluationAndPredictionDeterministic() throws Exception {
    try (InProcessTrainerd server = new InProcessTrainerd(dir.resolve("data"))) {
      Dataset train = StreamingUpload.upload(server.channel, augmented("augmented train"), List.of(trainZip));
      // The test set may carry the same pipeline: its random steps never act outside training.
      Dataset test = StreamingUpload.upload(server.channel, augmented("augmented test"), List.of(testZip));
      Dataset plainTest = StreamingUpload.upload(server.channel, metadata("plain test"), List.of(testZip));

      List<TrainingJobEvent> events = trainToTheEnd(server, train.getName(), test.getName(), 10);
      List<EpochMetrics> epochs = epochs(events);
      EpochMetrics last = epochs.get(epochs.size() - 1);
      double accuracy = last.getEvaluation().getAccuracy();
      System.out.printf(
          "fashion-mnist PNG folders with random crop (0.8-1) and flip (%d train, %d test): epoch %d test accuracy %.4f%n",
          TRAIN_IMAGES, TEST_IMAGES, last.getEpoch(), accuracy);
      assertThat(last.getEpoch()).isEqualTo(10);
      assertThat(accuracy).as("test accuracy after 10 epochs").isGreaterThanOrEqualTo(0.75);

      // Same seed, same data: the same draws each epoch (they depend on the seed and the epoch,
      // not on how many epochs follow), so a 3-epoch job repeats the first 3 epochs' losses exactly.
      List<EpochMetrics> again = epochs(trainToTheEnd(server, train.getName(), test.getName(), 3));
      assertThat(again)
          .extracting(m -> m.getTrain().getLoss())
          .containsExactlyElementsOf(epochs.subList(0, 3).stream().map(m -> m.getTrain().getLoss()).toList());

      // Evaluation on the test set with the random pipeline is its deterministic view: repeatable,
      // and for 28x28 images (the crop's whole-image resize to 28x28 is the identity, the flip is
      // skipped) the same as the plain to_tensor upload.
      String model = events.get(events.size() - 1).getStateChange().getJob().getModel();
      EvaluationMetrics onTest = server.models.evaluateModel(EvaluateModelRequest.newBuilder().setName(model).setDataset(test.getName()).build());
      assertThat(server.models.evaluateModel(EvaluateModelRequest.newBuilder().setName(model).setDataset(test.getName()).build()))
          .isEqualTo(onTest);
      EvaluationMetrics onPlain =
          server.models.evaluateModel(EvaluateModelRequest.newBuilder().setName(model).setDataset(plainTest.getName()).build());
      assertThat(onTest.getAccuracy()).isEqualTo(onPlain.getAccuracy());
      assertThat(onTest.getLoss()).isEqualTo(onPlain.getLoss());
      // The job's last epoch measured the same view of the test set (accumulated in float there).
      assertThat(onTest.getAccuracy()).isCloseTo(accuracy, within(1e-6));

      // Predict on a model trained with random transforms: the same input gives the same output.
      Examples firstTest;
      try (InputStream i = Files.newInputStream(SharedData.fashionMnist("t10k-images-idx3-ubyte.gz"));
          InputStream l = Files.newInputStream(SharedData.fashionMnist("t10k-labels-idx1-ubyte.gz"))) {
        firstTest = IdxReader.read(i, l);
      }
      FeatureVector.Builder pixels = FeatureVector.newBuilder();
      for (float v : firstTest.row(0)) {
        pixels.addValues(Math.round(v * 255) / 255f);
      }
      PredictRequest request =
          PredictRequest.newBuilder()
              .setName(model)
              .addInputs(PredictionInput.newBuilder().setFeatures(pixels))
              .addInputs(PredictionInput.newBuilder().setFeatures(pixels))
              .build();
      PredictResponse first = server.models.predict(request);
      PredictResponse second = server.models.predict(request);
      assertThat(first.getPredictions(1)).isEqualTo(first.getPredictions(0));
      assertThat(second).isEqualTo(first);
    }
  }
}
