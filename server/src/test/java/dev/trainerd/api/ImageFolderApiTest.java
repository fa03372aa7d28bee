package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.bench.StreamingUpload;
import dev.trainerd.data.SharedData;
import dev.trainerd.data.idx.IdxReader;
import dev.trainerd.ml.Examples;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetFormat;
import dev.trainerd.v1.EpochMetrics;
import dev.trainerd.v1.ImageTransform;
import dev.trainerd.v1.ModelSpec;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users arrive with folders of images: Fashion-MNIST written out as PNGs in class folders {@code
 * 0}..{@code 9}, zipped, uploaded as IMAGE_FOLDER with a to_tensor transform, and trained with
 * the chapter's softmax regression (lr 0.1, batch 256, 10 epochs) through the API.
 */
class ImageFolderApiTest {
  @TempDir Path dir;

  private static final int TRAIN_IMAGES = 12_000;
  private static final int TEST_IMAGES = 2_000;

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
    Path trainZip = pngZip("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", TRAIN_IMAGES, dir.resolve("train.zip"));
    Path testZip = pngZip("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", TEST_IMAGES, dir.resolve("test.zip"));
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
}
