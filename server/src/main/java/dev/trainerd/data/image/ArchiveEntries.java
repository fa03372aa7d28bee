package dev.trainerd.data.image;

import dev.trainerd.data.NamedFile;
import dev.trainerd.errors.TrainerdException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Streams the regular files of a zip, tar or gzipped tar archive to a visitor, enforcing {@link
 * ArchiveLimits} and rejecting unsafe entry names (zip-slip: absolute paths, drive letters, {@code
 * ..} segments). Nothing is ever written to disk; unsafe names are refused anyway, since they mean
 * the archive was made to attack something. Tar: ustar and GNU long names; pax path headers;
 * links are refused; other special entries are skipped.
 */
public final class ArchiveEntries {

  /** Receives each regular file; {@code name} uses {@code /} separators, without a leading one. */
  @FunctionalInterface
  public interface Visitor {
    void entry(String name, byte[] bytes);
  }

  private final ArchiveLimits limits;

  public ArchiveEntries(ArchiveLimits limits) {
    this.limits = limits;
  }

  /** Whether the file is an archive this class reads (zip, tar, or gzip that may hold a tar). */
  public static boolean looksLikeArchive(byte[] head) {
    return dev.trainerd.data.DatasetParsers.isArchive(head)
        || (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b);
  }

  /**
   * Reads the archive.
   *
   * @throws TrainerdException.InvalidArgument with field {@code files[<archive>]} when the
   *     archive is malformed, unsafe or over a limit
   */
  public void read(NamedFile archive, Visitor visitor) {
    String field = "files[" + archive.name() + "]";
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive.path()), 1 << 16)) {
      raw.mark(4);
      int b0 = raw.read();
      int b1 = raw.read();
      int b2 = raw.read();
      int b3 = raw.read();
      raw.reset();
      Counter counter = new Counter(field);
      if (b0 == 'P' && b1 == 'K' && b2 == 3 && b3 == 4) {
        readZip(raw, counter, visitor);
      } else if (b0 == 0x1f && b1 == 0x8b) {
        readTar(new BufferedInputStream(new GZIPInputStream(raw), 1 << 16), counter, visitor);
      } else {
        readTar(raw, counter, visitor);
      }
    } catch (EOFException | ZipException e) {
      throw TrainerdException.InvalidArgument.of(field, archive.name() + " is truncated or not a valid archive: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      // ZipInputStream's answer to an entry name that is not UTF-8.
      throw TrainerdException.InvalidArgument.of(field, "has an entry name that is not UTF-8: " + e.getMessage());
    } catch (IOException e) {
      throw new TrainerdException.Internal("DATASET_READ_FAILED", "could not read " + archive.name(), e);
    }
  }

  private void readZip(InputStream in, Counter counter, Visitor visitor) throws IOException {
    ZipInputStream zip = new ZipInputStream(in, StandardCharsets.UTF_8);
    ZipEntry e;
    while ((e = zip.getNextEntry()) != null) {
      counter.entry();
      String name = counter.safeName(e.getName());
      if (e.isDirectory()) {
        continue;
      }
      visitor.entry(name, counter.readEntry(zip, name, Long.MAX_VALUE));
    }
  }

  private void readTar(InputStream in, Counter counter, Visitor visitor) throws IOException {
    byte[] header = new byte[512];
    String longName = null;
    while (true) {
      int n = in.readNBytes(header, 0, 512);
      if (n == 0) {
        return; // some writers omit the two zero blocks
      }
      if (n < 512) {
        throw new EOFException("a tar header is cut short");
      }
      if (isZeroBlock(header)) {
        return;
      }
      if (!(header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a' && header[261] == 'r')) {
        throw TrainerdException.InvalidArgument.of(counter.field, "is not a zip or (ustar) tar archive");
      }
      counter.entry();
      long size = octal(header, 124, 12, counter);
      char type = (char) header[156];
      String name = longName != null ? longName : tarName(header);
      longName = null;
      long padded = (size + 511) / 512 * 512;
      switch (type) {
        case 'L', 'x' -> {
          byte[] body = counter.readEntry(in, "(long name)", size);
          in.skipNBytes(padded - size);
          String text = new String(body, StandardCharsets.UTF_8);
          longName = type == 'L' ? text.replace("\0", "") : paxPath(text);
        }
        case '0', '\0', '7' -> {
          String safe = counter.safeName(name);
          byte[] body = counter.readEntry(in, safe, size);
          in.skipNBytes(padded - size);
          if (!safe.endsWith("/")) {
            visitor.entry(safe, body);
          }
        }
        case '1', '2' -> throw TrainerdException.InvalidArgument.of(
            counter.field, "entry " + name + " is a link; image archives must hold plain files");
        default -> {
          counter.safeName(name);
          in.skipNBytes(padded);
        }
      }
    }
  }

  private static String tarName(byte[] h) {
    String name = cString(h, 0, 100);
    String prefix = cString(h, 345, 155);
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  /** The {@code path} record of a pax extended header, or null. */
  private static String paxPath(String text) {
    for (String record : text.split("\n")) {
      int space = record.indexOf(' ');
      if (space > 0 && record.startsWith("path=", space + 1)) {
        return record.substring(space + 6);
      }
    }
    return null;
  }

  private static String cString(byte[] b, int offset, int length) {
    int end = offset;
    while (end < offset + length && b[end] != 0) {
      end++;
    }
    return new String(b, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] b, int offset, int length, Counter counter) {
    long value = 0;
    for (int i = offset; i < offset + length; i++) {
      int c = b[i];
      if (c == 0 || c == ' ') {
        if (value > 0 || i > offset) {
          break;
        }
        continue;
      }
      if (c < '0' || c > '7') {
        throw TrainerdException.InvalidArgument.of(
            counter.field, "a tar header has a size that is not octal (entries over 8 GiB are not supported)");
      }
      value = value * 8 + (c - '0');
    }
    return value;
  }

  private static boolean isZeroBlock(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  /** Counts entries and inflated bytes of one archive against the limits. */
  private final class Counter {
    final String field;
    int entries;
    long totalBytes;

    Counter(String field) {
      this.field = field;
    }

    void entry() {
      if (++entries > limits.maxEntries()) {
        throw TrainerdException.InvalidArgument.of(
            field, "has more than " + limits.maxEntries() + " entries, the limit for one archive");
      }
    }

    /** The name, checked: relative, no {@code ..} segment, no drive letter, no NUL. */
    String safeName(String name) {
      String n = name.replace('\\', '/');
      boolean unsafe =
          n.isEmpty()
              || n.startsWith("/")
              || (n.length() >= 2 && n.charAt(1) == ':')
              || n.indexOf('\0') >= 0;
      for (String segment : n.split("/")) {
        unsafe |= segment.equals("..");
      }
      if (unsafe) {
        throw TrainerdException.InvalidArgument.of(
            field, "entry '" + name + "' is absolute or leaves the archive (..); such archives are refused");
      }
      return n.startsWith("./") ? n.substring(2) : n;
    }

    /** Reads one entry's bytes, at most {@code declared}, counting what is actually inflated. */
    byte[] readEntry(InputStream in, String name, long declared) throws IOException {
      long cap = Math.min(limits.maxEntryBytes(), limits.maxTotalBytes() - totalBytes);
      if (declared != Long.MAX_VALUE && declared > cap) {
        throw tooBig(name);
      }
      int want = (int) Math.min(Math.min(declared, cap + 1), Integer.MAX_VALUE - 8);
      byte[] body = readUpTo(in, want);
      if (body.length > cap) {
        throw tooBig(name);
      }
      if (declared != Long.MAX_VALUE && body.length < declared) {
        throw new EOFException("entry " + name + " is cut short");
      }
      totalBytes += body.length;
      return body;
    }

    private TrainerdException.InvalidArgument tooBig(String name) {
      return TrainerdException.InvalidArgument.of(
          field,
          "entry " + name + " expands past the limits (" + limits.maxEntryBytes() + " bytes per entry, "
              + limits.maxTotalBytes() + " bytes per archive); a decompression bomb or too large");
    }
  }

  /** Reads until {@code max} bytes or the end, growing the buffer as data actually arrives. */
  private static byte[] readUpTo(InputStream in, int max) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(Math.min(max, 1 << 16));
    byte[] buf = new byte[1 << 16];
    int total = 0;
    while (total < max) {
      int r = in.read(buf, 0, Math.min(buf.length, max - total));
      if (r < 0) {
        break;
      }
      out.write(buf, 0, r);
      total += r;
    }
    return out.toByteArray();
  }
}
