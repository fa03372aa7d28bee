package dev.trainerd.data.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.data.DatasetFormat;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.NamedFile;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageListParserTest {
  @TempDir Path dir;

  private NamedFile file(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return new NamedFile(name, p);
  }

  private NamedFile archive() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("img/a.png", TestImages.grayPng(new int[][] {{10}}));
    entries.put("img/b.png", TestImages.grayPng(new int[][] {{20}}));
    entries.put("img/c.png", TestImages.grayPng(new int[][] {{30}}));
    entries.put("img/unlisted.png", TestImages.grayPng(new int[][] {{40}}));
    return file("images.tar", TestImages.tar(entries));
  }

  private static LoadedDataset.Dense parse(NamedFile... files) {
    return (LoadedDataset.Dense)
        new ImageListParser(ArchiveLimits.DEFAULTS).parse(List.of(files), DatasetOptions.DEFAULTS.withFormat(DatasetFormat.IMAGE_LIST));
  }

  @Test
  void labelsComeFromTheListInEitherFileOrder() throws IOException {
    NamedFile list = file("labels.csv", "path,label\nimg/c.png,10\n./img/a.png,2\nimg/b.png,10\n".getBytes(StandardCharsets.UTF_8));
    for (LoadedDataset.Dense loaded : List.of(parse(archive(), list), parse(list, archive()))) {
      // Numeric labels sort numerically: 2 before 10. Examples follow the archive: a, b, c.
      assertThat(loaded.classNames()).containsExactly("2", "10");
      Examples ex = loaded.examples();
      assertThat(ex.features()).containsExactly(10, 20, 30);
      assertThat(((Examples.Labels.Classes) ex.labels()).values()).containsExactly(0, 1, 1);
    }
  }

  @Test
  void listedImagesMissingFromTheArchiveAreNamed() throws IOException {
    NamedFile list = file("labels.csv", "img/a.png,cat\nimg/z.png,dog\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> parse(archive(), list))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessageContaining("files[labels.csv]")
        .hasMessageContaining("img/z.png");
    NamedFile bad = file("bad.csv", "img/a.png,cat,extra\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> parse(archive(), bad)).hasMessageContaining("row 1 has 3 fields");
    NamedFile twice = file("twice.csv", "img/a.png,cat\nimg/a.png,dog\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> parse(archive(), twice)).hasMessageContaining("second time");
  }
}
