package dev.trainerd.data.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.data.CifarLabels;
import dev.trainerd.data.DatasetFormat;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.ImageOptions;
import dev.trainerd.data.ImageTransform;
import dev.trainerd.store.JsonCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Image options live in stored dataset records; they must come back from JSON unchanged. */
class ImageOptionsRecordTest {

  @Test
  void imageOptionsSurviveTheStoredRecordsJson() {
    DatasetOptions options =
        DatasetOptions.DEFAULTS
            .withFormat(DatasetFormat.CIFAR)
            .withImage(
                new ImageOptions(
                    List.of(
                        ImageTransform.randomResizedCrop(24, 24, 0.08, 1, 0.75, 4 / 3.0),
                        ImageTransform.randomFlipLeftRight(0.5),
                        ImageTransform.toTensor(),
                        ImageTransform.normalize(List.of(0.49, 0.48, 0.45), List.of(0.25, 0.24, 0.26)),
                        ImageTransform.castFloat32()),
                    42,
                    CifarLabels.CIFAR100_COARSE));
    JsonCodec json = new JsonCodec();
    DatasetOptions back = json.read(json.write(options), DatasetOptions.class);
    assertThat(back).isEqualTo(options);
    assertThat(back.canonicalForm()).isEqualTo(options.canonicalForm());
  }

  @Test
  void recordsWrittenBeforeImageOptionsReadAsNone() {
    JsonCodec json = new JsonCodec();
    String old = "{\"format\":\"CSV\",\"labelColumn\":\"y\",\"idColumn\":\"\",\"separator\":\"\",\"missingTokens\":[],\"typeOverrides\":{},\"taskKind\":\"AUTO\"}";
    DatasetOptions back = json.read(old, DatasetOptions.class);
    assertThat(back.image()).isEqualTo(ImageOptions.NONE);
    assertThat(back.canonicalForm()).isEqualTo(DatasetOptions.csv("y", "").withMissingTokens(List.of()).canonicalForm());
  }
}
