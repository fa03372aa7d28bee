package dev.trainerd.data;

import dev.trainerd.errors.TrainerdException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parsers this server can use, by format, and the detection of {@link DatasetFormat#AUTO}.
 * IDX support plugs in as one more {@link DatasetParser}.
 */
public final class DatasetParsers {

  private final Map<DatasetFormat, DatasetParser> byFormat = new EnumMap<>(DatasetFormat.class);

  /** @param parsers one per format; AUTO is not a parser's format */
  public DatasetParsers(List<DatasetParser> parsers) {
    for (DatasetParser p : parsers) {
      if (p.format() == DatasetFormat.AUTO) {
        throw new IllegalArgumentException("a parser must read a concrete format");
      }
      if (byFormat.put(p.format(), p) != null) {
        throw new IllegalArgumentException("two parsers for " + p.format());
      }
    }
  }

  /**
   * The {@link DatasetParser#fileDecoder() file decoder} for a file of an upload asking for {@code
   * requested}, from the file's first bytes ({@link #head}, at least 3 when the file has them): the
   * requested parser's; for AUTO, IDX's when the file starts with the gzip or an IDX magic (what
   * {@link #resolve} reads as IDX unless another file is an archive), else none.
   */
  public Optional<FileDecoder> fileDecoder(DatasetFormat requested, byte[] head) {
    DatasetFormat format = requested;
    if (requested == DatasetFormat.AUTO) {
      if (!isGzip(head) && !isIdx(head)) {
        return Optional.empty();
      }
      format = DatasetFormat.IDX;
    }
    DatasetParser parser = byFormat.get(format);
    return parser == null ? Optional.empty() : parser.fileDecoder();
  }

  /** The parser for a concrete format. */
  public DatasetParser parser(DatasetFormat format) {
    DatasetParser parser = byFormat.get(format);
    if (parser == null) {
      throw TrainerdException.InvalidArgument.of(
          "format", format + " datasets cannot be read by this server; it reads " + byFormat.keySet());
    }
    return parser;
  }

  /**
   * The format to parse the files with: the requested one, or for AUTO: IMAGE_FOLDER when the
   * only file is a zip ({@code PK 03 04}) or tar ({@code ustar} at offset 257) archive,
   * IMAGE_LIST when one of two files is; else IDX when any file starts with the gzip magic ({@code
   * 1f 8b}) or an IDX magic ({@code 00 00 08}); CSV otherwise.
   */
  public DatasetFormat resolve(DatasetFormat requested, List<NamedFile> files) {
    if (requested != DatasetFormat.AUTO) {
      return requested;
    }
    for (NamedFile f : files) {
      if (isArchive(head(f))) {
        return files.size() == 1 ? DatasetFormat.IMAGE_FOLDER : DatasetFormat.IMAGE_LIST;
      }
    }
    for (NamedFile f : files) {
      byte[] head = head(f);
      if (isGzip(head) || isIdx(head)) {
        return DatasetFormat.IDX;
      }
    }
    return DatasetFormat.CSV;
  }

  private static boolean isGzip(byte[] head) {
    return head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
  }

  private static boolean isIdx(byte[] head) {
    return head.length >= 3 && head[0] == 0 && head[1] == 0 && head[2] == 0x08;
  }

  /** Whether the first bytes of a file are those of a zip or (ustar) tar archive. */
  public static boolean isArchive(byte[] head) {
    boolean zip = head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    boolean tar =
        head.length >= 262
            && head[257] == 'u' && head[258] == 's' && head[259] == 't' && head[260] == 'a' && head[261] == 'r';
    return zip || tar;
  }

  /** The first 262 bytes of a file (fewer when it is shorter): enough for every magic above. */
  public static byte[] head(NamedFile f) {
    try (InputStream in = Files.newInputStream(f.path())) {
      return in.readNBytes(262);
    } catch (IOException e) {
      throw new TrainerdException.Internal("DATASET_READ_FAILED", "could not read " + f.name(), e);
    }
  }
}
