package dev.trainerd.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.Table;
import dev.trainerd.data.csv.CsvParser;
import dev.trainerd.data.idx.IdxReader;
import dev.trainerd.data.prep.PreprocessingOptions;
import dev.trainerd.data.prep.Preprocessor;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Parsers meet arbitrary input: they either return data or throw INVALID_ARGUMENT with a message.
 * Anything else (a RuntimeException of another kind, an Error) is a bug.
 */
class ParserProperties {
  private final CsvParser csv = new CsvParser();

  @Provide
  Arbitrary<String> csvText() {
    Arbitrary<String> cell =
        Arbitraries.oneOf(
            Arbitraries.strings().withChars("0123456789.-eE").ofMaxLength(6),
            Arbitraries.strings().withChars("abcNA?\" ,;\t\r\n").ofMaxLength(5),
            Arbitraries.of("", "NA", "?", "\"a,b\"", "\"x\"\"y\"", "1e309", "-0", "NaN"));
    Arbitrary<String> row = cell.list().ofMinSize(1).ofMaxSize(5).map(cells -> String.join(",", cells));
    return row.list().ofMinSize(0).ofMaxSize(8).map(rows -> String.join("\n", rows));
  }

  @Provide
  Arbitrary<DatasetOptions> csvOptions() {
    return Combinators.combine(
            Arbitraries.of("", "y", "a", "NA", "missing"), Arbitraries.of("", "id", "a"), Arbitraries.of("", ",", ";", "\t", "|"))
        .as((label, id, sep) -> DatasetOptions.csv(label, id).withSeparator(sep));
  }

  @Property(tries = 3000)
  void csvParsesOrRejectsWithADocumentedError(@ForAll("csvText") String text, @ForAll("csvOptions") DatasetOptions options) {
    try {
      Table table = csv.parseString("fuzz.csv", text, options);
      assertThat(table.rowCount()).isGreaterThanOrEqualTo(0);
    } catch (TrainerdException.InvalidArgument e) {
      assertThat(e.getMessage()).isNotBlank();
      assertThat(e.violations()).isNotEmpty();
    }
  }

  @Provide
  Arbitrary<byte[][]> idxFiles() {
    Arbitrary<byte[]> images =
        Combinators.combine(
                Arbitraries.of(0x00000803, 0x00000801, 0x12345678, 0),
                Arbitraries.integers().between(-1, 5),
                Arbitraries.integers().between(-1, 4),
                Arbitraries.integers().between(-1, 4),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.of(true, false))
            .as((magic, n, rows, cols, body, gzip) -> file(gzip, magic, body, n, rows, cols));
    Arbitrary<byte[]> labels =
        Combinators.combine(
                Arbitraries.of(0x00000801, 0x00000803, 7),
                Arbitraries.integers().between(-1, 5),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(8),
                Arbitraries.of(true, false))
            .as((magic, n, body, gzip) -> file(gzip, magic, body, n));
    Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
    return Combinators.combine(Arbitraries.oneOf(images, noise), Arbitraries.oneOf(labels, noise))
        .as((i, l) -> new byte[][] {i, l});
  }

  @Property(tries = 2500)
  void idxReadsOrRejectsWithADocumentedError(@ForAll("idxFiles") byte[][] files) {
    try {
      Examples examples =
          IdxReader.read(new ByteArrayInputStream(files[0]), "files[0]", new ByteArrayInputStream(files[1]), "files[1]");
      for (float pixel : examples.features()) {
        assertThat(pixel).isBetween(0f, 1f);
      }
    } catch (TrainerdException.InvalidArgument e) {
      assertThat(e.violations()).isNotEmpty();
    }
  }

  @Provide
  Arbitrary<List<Map<String, String>>> rawRows() {
    Arbitrary<String> value = Arbitraries.of("", "NA", "1", "2.5", "-3", "x", "y", "zzz", "1e400", "NaN");
    Arbitrary<String> key = Arbitraries.of("a", "b", "c", "y", "id", "unknown");
    return Arbitraries.maps(key, value).ofMaxSize(5).list().ofMinSize(1).ofMaxSize(4);
  }

  @Property(tries = 2000)
  void rawPredictionRowsTransformOrRejectWithADocumentedError(@ForAll("rawRows") List<Map<String, String>> rows) {
    Table fitted =
        csv.parseString("fit.csv", "id,a,b,c,y\n1,1,x,2,5\n2,2,y,,6\n3,NA,x,4,7\n", DatasetOptions.csv("y", "id"));
    Preprocessor pre = Preprocessor.fit(List.of(fitted), PreprocessingOptions.DEFAULTS);
    try {
      float[] out = pre.transformRows(rows);
      assertThat(out).hasSize(rows.size() * pre.featureCount());
      for (float f : out) {
        assertThat(Float.isNaN(f)).isFalse();
      }
    } catch (TrainerdException.InvalidArgument e) {
      assertThat(e.violations()).isNotEmpty();
    }
  }

  private static byte[] file(boolean gzip, int magic, byte[] body, int... dims) {
    try {
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(raw);
      out.writeInt(magic);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(body);
      out.flush();
      if (!gzip) {
        return raw.toByteArray();
      }
      ByteArrayOutputStream zipped = new ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(zipped)) {
        z.write(raw.toByteArray());
      }
      return zipped.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
