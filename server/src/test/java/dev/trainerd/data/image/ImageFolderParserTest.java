package dev.trainerd.data.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.data.DatasetFormat;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.DatasetParsers;
import dev.trainerd.data.ImageOptions;
import dev.trainerd.data.ImageTransform;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.NamedFile;
import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderParserTest {
  @TempDir Path dir;

  private static final DatasetOptions PLAIN = DatasetOptions.DEFAULTS.withFormat(DatasetFormat.IMAGE_FOLDER);

  private NamedFile file(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return new NamedFile(name, p);
  }

  private static Map<String, byte[]> twoClasses() {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    // "zebra" arrives first but sorts after "ant".
    entries.put("pets/zebra/1.png", TestImages.grayPng(new int[][] {{0, 255}, {10, 20}}));
    entries.put("pets/ant/2.png", TestImages.grayPng(new int[][] {{1, 2}, {3, 4}}));
    entries.put("pets/zebra/.DS_Store", new byte[] {1, 2, 3});
    entries.put("__MACOSX/pets/ant/._2.png", new byte[] {1, 2, 3});
    return entries;
  }

  private static LoadedDataset.Dense parse(NamedFile archive, DatasetOptions options) {
    return (LoadedDataset.Dense) new ImageFolderParser(ArchiveLimits.DEFAULTS).parse(List.of(archive), options);
  }

  private static void assertTwoClasses(LoadedDataset.Dense loaded) {
    assertThat(loaded.classNames()).containsExactly("ant", "zebra");
    Examples ex = loaded.examples();
    assertThat(ex.count()).isEqualTo(2);
    assertThat(ex.featureCount()).isEqualTo(4);
    assertThat(ex.row(0)).containsExactly(0, 255, 10, 20);
    assertThat(ex.row(1)).containsExactly(1, 2, 3, 4);
    assertThat(((Examples.Labels.Classes) ex.labels()).values()).containsExactly(1, 0);
    assertThat(((Examples.Labels.Classes) ex.labels()).classCount()).isEqualTo(2);
  }

  @Test
  void readsAZipOfClassFoldersWithClassesInSortedOrder() throws IOException {
    NamedFile zip = file("pets.zip", TestImages.zip(twoClasses()));
    assertThat(new DatasetParsers(List.of()).resolve(DatasetFormat.AUTO, List.of(zip))).isEqualTo(DatasetFormat.IMAGE_FOLDER);
    assertTwoClasses(parse(zip, PLAIN));
  }

  @Test
  void readsATarOfClassFolders() throws IOException {
    NamedFile tar = file("pets.tar", TestImages.tar(twoClasses()));
    assertThat(new DatasetParsers(List.of()).resolve(DatasetFormat.AUTO, List.of(tar))).isEqualTo(DatasetFormat.IMAGE_FOLDER);
    assertTwoClasses(parse(tar, PLAIN));
  }

  @Test
  void readsGnuLongNamesInTars() throws IOException {
    String deep = "d".repeat(90) + "/" + "e".repeat(40);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put(deep + "/long-class/" + "f".repeat(60) + ".png", TestImages.grayPng(new int[][] {{7}}));
    entries.put("short/1.png", TestImages.grayPng(new int[][] {{8}}));
    LoadedDataset.Dense loaded = parse(file("long.tar", TestImages.tar(entries)), PLAIN);
    assertThat(loaded.classNames()).containsExactly("long-class", "short");
    assertThat(loaded.examples().features()).containsExactly(7, 8);
    Map<String, byte[]> evil = new LinkedHashMap<>();
    evil.put("a/" + "../".repeat(40) + "evil.png", TestImages.grayPng(new int[][] {{7}}));
    assertThatThrownBy(() -> parse(file("evil.tar", TestImages.tar(evil)), PLAIN)).hasMessageContaining("leaves the archive");
  }

  @Test
  void readsRgbImagesAsThreePlanesAndAppliesTheTransforms() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("red/a.png", TestImages.rgbPng(new int[][] {{0xff0000, 0x00ff00}}));
    entries.put("blue/b.png", TestImages.rgbPng(new int[][] {{0x0000ff, 0x0000ff}}));
    NamedFile zip = file("rgb.zip", TestImages.zip(entries));
    Examples ex = parse(zip, PLAIN).examples();
    assertThat(ex.row(0)).containsExactly(255, 0, 0, 255, 0, 0);
    DatasetOptions tensor =
        PLAIN.withImage(new ImageOptions(List.of(ImageTransform.randomFlipLeftRight(1), ImageTransform.toTensor()), 0, null));
    LoadedDataset.Dense flipped = parse(zip, tensor);
    // The examples are the deterministic view (no flip); training draws the flip each epoch.
    assertThat(flipped.examples().row(0)).containsExactly(new float[] {1, 0, 0, 1, 0, 0}, within(1e-6f));
    float[] epoch = new float[12];
    flipped.augmentation().orElseThrow().fill(0, 1, epoch);
    assertThat(java.util.Arrays.copyOf(epoch, 6)).containsExactly(new float[] {0, 1, 1, 0, 0, 0}, within(1e-6f));
  }

  @Test
  void readsJpegsAndGzippedTars() throws IOException {
    java.awt.image.BufferedImage teal = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.awt.image.BufferedImage grey = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        teal.setRGB(x, y, 0x208090);
        grey.getRaster().setSample(x, y, 0, 100);
      }
    }
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("teal/a.jpg", TestImages.encode(teal, "jpeg"));
    entries.put("other/b.JPEG", TestImages.encode(teal, "jpeg"));
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(TestImages.tar(entries));
    }
    Examples ex = parse(file("jpegs.tar.gz", gz.toByteArray()), PLAIN).examples();
    assertThat(ex.featureCount()).isEqualTo(3 * 64);
    // JPEG is lossy: a flat colour comes back within a few levels.
    assertThat(ex.row(0)[0]).isCloseTo(0x20, within(4f));
    assertThat(ex.row(0)[64]).isCloseTo(0x80, within(4f));
    assertThat(ex.row(0)[128]).isCloseTo(0x90, within(4f));

    Map<String, byte[]> greys = new LinkedHashMap<>();
    greys.put("g/a.jpg", TestImages.encode(grey, "jpeg"));
    greys.put("h/a.jpg", TestImages.encode(grey, "jpeg"));
    Examples g = parse(file("grey.zip", TestImages.zip(greys)), PLAIN).examples();
    assertThat(g.featureCount()).isEqualTo(64);
    assertThat(g.row(1)[10]).isCloseTo(100, within(2f));
  }

  @Test
  void imagesOfDifferentShapesAreReportedByName() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("a/1.png", TestImages.grayPng(new int[][] {{1, 2}}));
    entries.put("b/2.png", TestImages.grayPng(new int[][] {{1, 2, 3}}));
    NamedFile zip = file("mixed.zip", TestImages.zip(entries));
    assertThatThrownBy(() -> parse(zip, PLAIN))
        .isInstanceOfSatisfying(
            TrainerdException.InvalidArgument.class,
            e -> {
              assertThat(e.violations()).extracting(FieldViolation::field).containsExactly("files[mixed.zip:b/2.png]");
              assertThat(e.violations().get(0).description()).contains("1x1x3").contains("1x1x2").contains("a/1.png");
            });
    // A resize makes them agree.
    DatasetOptions resized = PLAIN.withImage(new ImageOptions(List.of(ImageTransform.resize(2, 2)), 0, null));
    assertThat(parse(zip, resized).examples().featureCount()).isEqualTo(4);
  }

  @Test
  void aCorruptImageIsReportedByItsName() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("cat/good.png", TestImages.grayPng(new int[][] {{1}}));
    entries.put("dog/good.png", TestImages.grayPng(new int[][] {{2}}));
    byte[] truncated = TestImages.grayPng(new int[][] {{1, 2, 3}, {4, 5, 6}});
    entries.put("cat/bad.png", java.util.Arrays.copyOf(truncated, 30));
    entries.put("cat/noise.jpg", new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    NamedFile zip = file("cats.zip", TestImages.zip(entries));
    assertThatThrownBy(() -> parse(zip, PLAIN))
        .isInstanceOfSatisfying(
            TrainerdException.InvalidArgument.class,
            e -> assertThat(e.violations()).extracting(FieldViolation::field).containsExactly("files[cats.zip:cat/bad.png]"));
    entries.remove("cat/bad.png");
    NamedFile zip2 = file("cats2.zip", TestImages.zip(entries));
    assertThatThrownBy(() -> parse(zip2, PLAIN))
        .isInstanceOfSatisfying(
            TrainerdException.InvalidArgument.class,
            e -> assertThat(e.violations()).extracting(FieldViolation::field).containsExactly("files[cats2.zip:cat/noise.jpg]"));
  }

  @Test
  void zipSlipEntriesAreRefused() throws IOException {
    for (String evil : List.of("../evil.png", "a/../../evil.png", "/etc/evil.png", "C:/evil.png", "a\\..\\..\\evil.png")) {
      Map<String, byte[]> entries = new LinkedHashMap<>();
      entries.put(evil, TestImages.grayPng(new int[][] {{1}}));
      NamedFile zip = file("slip.zip", TestImages.zip(entries));
      assertThatThrownBy(() -> parse(zip, PLAIN))
          .as(evil)
          .isInstanceOfSatisfying(
              TrainerdException.InvalidArgument.class,
              e -> {
                assertThat(e.violations()).extracting(FieldViolation::field).containsExactly("files[slip.zip]");
                assertThat(e.violations().get(0).description()).contains(evil);
              });
      NamedFile tar = file("slip.tar", TestImages.tar(entries));
      assertThatThrownBy(() -> parse(tar, PLAIN)).as(evil).isInstanceOf(TrainerdException.InvalidArgument.class)
          .hasMessageContaining("leaves the archive");
    }
  }

  @Test
  void decompressionBombsAreRefused() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("a/zeros.png", new byte[2 << 20]); // 2 MiB of zeros deflate to a few KiB
    NamedFile zip = file("bomb.zip", TestImages.zip(entries));
    assertThat(Files.size(zip.path())).isLessThan(20_000);
    ArchiveLimits small = new ArchiveLimits(100, 1L << 30, 1L << 20, 1L << 20, 1L << 30);
    assertThatThrownBy(() -> new ImageFolderParser(small).parse(List.of(zip), PLAIN))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessageContaining("files[bomb.zip]")
        .hasMessageContaining("decompression bomb");

    Map<String, byte[]> many = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      many.put("a/" + i + ".png", TestImages.grayPng(new int[][] {{i}}));
    }
    NamedFile manyZip = file("many.zip", TestImages.zip(many));
    assertThatThrownBy(() -> new ImageFolderParser(new ArchiveLimits(4, 1L << 30, 1L << 20, 1L << 20, 1L << 30)).parse(List.of(manyZip), PLAIN))
        .hasMessageContaining("more than 4 entries");
    long oneImage = TestImages.grayPng(new int[][] {{0}}).length;
    assertThatThrownBy(() -> new ImageFolderParser(new ArchiveLimits(100, 3 * oneImage, 1L << 20, 1L << 20, 1L << 30)).parse(List.of(manyZip), PLAIN))
        .hasMessageContaining("bytes per archive");

    // A 300x300 image is 90,000 pixels: over a 10,000-pixel limit, refused before decoding.
    Map<String, byte[]> big = new LinkedHashMap<>();
    big.put("a/big.png", TestImages.grayPng(new int[300][300]));
    NamedFile bigZip = file("big.zip", TestImages.zip(big));
    assertThatThrownBy(() -> new ImageFolderParser(new ArchiveLimits(100, 1L << 30, 1L << 20, 10_000, 1L << 30)).parse(List.of(bigZip), PLAIN))
        .isInstanceOfSatisfying(
            TrainerdException.InvalidArgument.class,
            e -> {
              assertThat(e.violations()).extracting(FieldViolation::field).containsExactly("files[big.zip:a/big.png]");
              assertThat(e.violations().get(0).description()).contains("300x300").contains("10000");
            });
    // And the feature-value limit caps what the transforms may blow up to.
    assertThatThrownBy(
            () -> new ImageFolderParser(new ArchiveLimits(100, 1L << 30, 1L << 20, 1L << 20, 1000))
                .parse(List.of(manyZip), PLAIN.withImage(new ImageOptions(List.of(ImageTransform.resize(20, 20)), 0, null))))
        .hasMessageContaining("feature values");
  }

  @Test
  void nonImagesAndImagesOutsideFoldersAreRefused() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("readme.txt", new byte[] {'h', 'i'});
    NamedFile zip = file("text.zip", TestImages.zip(entries));
    assertThatThrownBy(() -> parse(zip, PLAIN)).hasMessageContaining("files[text.zip:readme.txt]");
    Map<String, byte[]> flat = new LinkedHashMap<>();
    flat.put("1.png", TestImages.grayPng(new int[][] {{1}}));
    NamedFile flatZip = file("flat.zip", TestImages.zip(flat));
    Map<String, byte[]> one = new LinkedHashMap<>();
    one.put("cat/1.png", TestImages.grayPng(new int[][] {{1}}));
    NamedFile oneZip = file("one.zip", TestImages.zip(one));
    assertThatThrownBy(() -> parse(oneZip, PLAIN)).hasMessageContaining("files[one.zip]").hasMessageContaining("at least two classes");
    assertThatThrownBy(() -> parse(flatZip, PLAIN)).hasMessageContaining("class folder");
    java.io.ByteArrayOutputStream latin = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream zipOut = new java.util.zip.ZipOutputStream(latin, java.nio.charset.StandardCharsets.ISO_8859_1)) {
      zipOut.putNextEntry(new java.util.zip.ZipEntry("caf\u00e9/1.png"));
      zipOut.write(TestImages.grayPng(new int[][] {{1}}));
      zipOut.closeEntry();
    }
    NamedFile latinZip = file("latin.zip", latin.toByteArray());
    assertThatThrownBy(() -> parse(latinZip, PLAIN)).isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessageContaining("files[latin.zip]");
    NamedFile garbage = file("garbage.zip", new byte[600]);
    assertThatThrownBy(() -> parse(garbage, PLAIN)).isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessageContaining("files[garbage.zip]");
  }

  @Test
  void autoDetectionStillFindsCsvAndIdx() throws IOException {
    DatasetParsers parsers = new DatasetParsers(List.of());
    assertThat(parsers.resolve(DatasetFormat.AUTO, List.of(file("a.csv", "x,y\n1,2\n".getBytes())))).isEqualTo(DatasetFormat.CSV);
    assertThat(parsers.resolve(DatasetFormat.AUTO, List.of(file("i", new byte[] {0, 0, 8, 3, 0})))).isEqualTo(DatasetFormat.IDX);
    assertThat(parsers.resolve(DatasetFormat.AUTO, List.of(file("g", new byte[] {0x1f, (byte) 0x8b, 8})))).isEqualTo(DatasetFormat.IDX);
    NamedFile zip = file("z.zip", TestImages.zip(twoClasses()));
    assertThat(parsers.resolve(DatasetFormat.AUTO, List.of(zip, file("l.csv", "path,label\n".getBytes()))))
        .isEqualTo(DatasetFormat.IMAGE_LIST);
  }

  @Test
  void transformsArePartOfTheIdentity() {
    DatasetOptions flipped =
        PLAIN.withImage(new ImageOptions(List.of(ImageTransform.randomFlipLeftRight(0.5)), 1, null));
    DatasetOptions otherSeed =
        PLAIN.withImage(new ImageOptions(List.of(ImageTransform.randomFlipLeftRight(0.5)), 2, null));
    assertThat(flipped.canonicalForm()).isNotEqualTo(PLAIN.canonicalForm()).isNotEqualTo(otherSeed.canonicalForm());
    assertThat(DatasetOptions.csv("y", "").canonicalForm()).doesNotContain("image");
    assertThat(DatasetOptions.csv("y", "").withImage(flipped.image()).violations())
        .extracting(FieldViolation::field)
        .contains("transforms");
  }
}
