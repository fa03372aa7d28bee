package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.trainerd.bench.StreamingUpload;
import dev.trainerd.data.image.TestImages;
import dev.trainerd.v1.CastTransform;
import dev.trainerd.v1.CifarLabels;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetFormat;
import dev.trainerd.v1.ImageTransform;
import dev.trainerd.v1.ListDatasetsRequest;
import dev.trainerd.v1.NormalizeTransform;
import dev.trainerd.v1.RandomFlipLeftRightTransform;
import dev.trainerd.v1.RandomResizedCropTransform;
import dev.trainerd.v1.ResizeTransform;
import dev.trainerd.v1.TaskType;
import dev.trainerd.v1.ToTensorTransform;
import dev.trainerd.v1.UploadDatasetMetadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image formats, transforms and their errors through the upload API. */
class ImageUploadApiTest {
  @TempDir Path dir;

  private static ImageTransform toTensor() {
    return ImageTransform.newBuilder().setToTensor(ToTensorTransform.getDefaultInstance()).build();
  }

  @Test
  void cifarAndImageListUploadsWithTransforms() throws Exception {
    ByteArrayOutputStream cifar = new ByteArrayOutputStream();
    for (int label : new int[] {4, 7, 99}) {
      cifar.write(label / 5); // coarse
      cifar.write(label); // fine
      cifar.write(new byte[3072], 0, 3072);
    }
    Path batch = Files.write(dir.resolve("train.bin"), cifar.toByteArray());
    Map<String, byte[]> images = new LinkedHashMap<>();
    images.put("a.png", TestImages.rgbPng(new int[][] {{0x102030, 0x405060}, {0x708090, 0xa0b0c0}}));
    images.put("b.png", TestImages.rgbPng(new int[][] {{0, 0}, {0, 0}}));
    Path zip = Files.write(dir.resolve("images.zip"), TestImages.zip(images));
    Path list = Files.writeString(dir.resolve("list.csv"), "path,label\na.png,cat\nb.png,dog\n");
    try (InProcessTrainerd server = new InProcessTrainerd(dir.resolve("data"))) {
      Dataset coarse =
          StreamingUpload.upload(
              server.channel,
              UploadDatasetMetadata.newBuilder()
                  .setFormat(DatasetFormat.CIFAR)
                  .setCifarLabels(CifarLabels.CIFAR100_COARSE)
                  .addTransforms(
                      ImageTransform.newBuilder()
                          .setRandomResizedCrop(RandomResizedCropTransform.newBuilder().setHeight(24).setWidth(24)))
                  .addTransforms(ImageTransform.newBuilder().setRandomFlipLeftRight(RandomFlipLeftRightTransform.getDefaultInstance()))
                  .addTransforms(toTensor())
                  .addTransforms(
                      ImageTransform.newBuilder()
                          .setNormalize(NormalizeTransform.newBuilder().addMean(0.5).addStd(0.25)))
                  .addTransforms(ImageTransform.newBuilder().setCast(CastTransform.newBuilder().setDtype("float32")))
                  .setTransformSeed(3)
                  .build(),
              List.of(batch));
      assertThat(coarse.getFormat()).isEqualTo(DatasetFormat.CIFAR);
      assertThat(coarse.getExampleCount()).isEqualTo(3);
      assertThat(coarse.getFeatureCount()).isEqualTo(3 * 24 * 24);
      assertThat(coarse.getClassNamesCount()).isEqualTo(20);
      assertThat(coarse.getCifarLabels()).isEqualTo(CifarLabels.CIFAR100_COARSE);
      assertThat(coarse.getTransformSeed()).isEqualTo(3);
      assertThat(coarse.getTransformsList())
          .extracting(t -> t.getKindCase().name())
          .containsExactly("RANDOM_RESIZED_CROP", "RANDOM_FLIP_LEFT_RIGHT", "TO_TENSOR", "NORMALIZE", "CAST");
      // Unset parameters come back with the defaults they were given.
      assertThat(coarse.getTransforms(0).getRandomResizedCrop().getMinScale()).isEqualTo(0.08);
      assertThat(coarse.getTransforms(0).getRandomResizedCrop().getMaxRatio()).isEqualTo(4.0 / 3);
      assertThat(coarse.getTransforms(1).getRandomFlipLeftRight().getP()).isEqualTo(0.5);

      Dataset listed =
          StreamingUpload.upload(
              server.channel,
              UploadDatasetMetadata.newBuilder()
                  .addTransforms(ImageTransform.newBuilder().setResize(ResizeTransform.newBuilder().setHeight(1).setWidth(1)))
                  .build(),
              List.of(zip, list));
      assertThat(listed.getFormat()).isEqualTo(DatasetFormat.IMAGE_LIST); // detected from the archive
      assertThat(listed.getTask()).isEqualTo(TaskType.CLASSIFICATION);
      assertThat(listed.getClassNamesList()).containsExactly("cat", "dog");
      assertThat(listed.getFeatureCount()).isEqualTo(3);
    }
  }

  @Test
  void badTransformsAndCorruptImagesAreFieldViolations() throws Exception {
    Map<String, byte[]> images = new LinkedHashMap<>();
    images.put("cat/1.png", TestImages.grayPng(new int[][] {{1}}));
    images.put("dog/2.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
    Path zip = Files.write(dir.resolve("pets.zip"), TestImages.zip(images));
    try (InProcessTrainerd server = new InProcessTrainerd(dir.resolve("data"))) {
      StatusRuntimeException badSteps =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () ->
                  StreamingUpload.upload(
                      server.channel,
                      UploadDatasetMetadata.newBuilder()
                          .addTransforms(
                              ImageTransform.newBuilder()
                                  .setNormalize(NormalizeTransform.newBuilder().addMean(0.5).addStd(1)))
                          .addTransforms(ImageTransform.newBuilder().setResize(ResizeTransform.newBuilder().setWidth(3)))
                          .build(),
                      List.of(zip)));
      assertThat(badSteps.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(TrainingApiTest.violations(badSteps))
          .contains("metadata.transforms[0].normalize", "metadata.transforms[1].resize.height");

      StatusRuntimeException badCast =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () ->
                  StreamingUpload.upload(
                      server.channel,
                      UploadDatasetMetadata.newBuilder()
                          .addTransforms(ImageTransform.newBuilder().setCast(CastTransform.newBuilder().setDtype("float16")))
                          .build(),
                      List.of(zip)));
      assertThat(TrainingApiTest.violations(badCast)).containsExactly("metadata.transforms[0].cast.dtype");

      StatusRuntimeException corrupt =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () -> StreamingUpload.upload(server.channel, UploadDatasetMetadata.newBuilder().build(), List.of(zip)));
      assertThat(corrupt.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(TrainingApiTest.violations(corrupt)).containsExactly("files[pets.zip:dog/2.png]");
      assertThat(server.datasets.listDatasets(ListDatasetsRequest.getDefaultInstance()).getDatasetsCount()).isZero();
    }
  }
}
