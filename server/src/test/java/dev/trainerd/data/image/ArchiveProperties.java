package dev.trainerd.data.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.data.DatasetFormat;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.NamedFile;
import dev.trainerd.errors.TrainerdException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Damaged archives: a valid zip or tar of images with bytes overwritten at random either parses
 * or fails with an InvalidArgument naming the archive or an image in it, never anything else.
 */
class ArchiveProperties {

  private static final byte[] ZIP;
  private static final byte[] TAR;

  static {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("a/1.png", TestImages.grayPng(new int[][] {{1, 2}, {3, 4}}));
    entries.put("b/2.png", TestImages.rgbPng(new int[][] {{0x102030, 0x405060}, {0x708090, 0xa0b0c0}}));
    entries.put("b/3.png", TestImages.grayPng(new int[][] {{5, 6}, {7, 8}}));
    ZIP = TestImages.zip(entries);
    TAR = TestImages.tar(entries);
  }

  @Provide
  Arbitrary<List<Integer>> damage() {
    return Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMinSize(1).ofMaxSize(8);
  }

  @Property(tries = 300)
  void damagedZipsParseOrAreRejectedByName(@ForAll("damage") List<Integer> damage) throws IOException {
    check(ZIP, damage, "z.zip");
  }

  @Property(tries = 300)
  void damagedTarsParseOrAreRejectedByName(@ForAll("damage") List<Integer> damage) throws IOException {
    check(TAR, damage, "t.tar");
  }

  private static void check(byte[] original, List<Integer> damage, String name) throws IOException {
    byte[] bytes = original.clone();
    for (int d : damage) {
      bytes[d % bytes.length] = (byte) (d >>> 8);
    }
    Path file = Files.createTempFile("archive", ".bin");
    try {
      Files.write(file, bytes);
      LoadedDataset loaded =
          new ImageFolderParser(new ArchiveLimits(100, 1 << 20, 1 << 18, 1 << 16, 1 << 20))
              .parse(List.of(new NamedFile(name, file)), DatasetOptions.DEFAULTS.withFormat(DatasetFormat.IMAGE_FOLDER));
      assertThat(loaded.rowCount()).isPositive();
    } catch (TrainerdException.InvalidArgument e) {
      assertThat(e.violations().get(0).field()).startsWith("files[" + name);
    } finally {
      Files.delete(file);
    }
  }
}
