package dev.trainerd.data.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/** Small images and archives built in memory for the tests. */
public final class TestImages {
  private TestImages() {}

  /** A greyscale PNG; {@code pixels[y][x]} are 0..255. */
  public static byte[] grayPng(int[][] pixels) {
    BufferedImage image = new BufferedImage(pixels[0].length, pixels.length, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < pixels.length; y++) {
      for (int x = 0; x < pixels[0].length; x++) {
        image.getRaster().setSample(x, y, 0, pixels[y][x]);
      }
    }
    return encode(image, "png");
  }

  /** An RGB PNG; {@code rgb[y][x]} is 0xRRGGBB. */
  public static byte[] rgbPng(int[][] rgb) {
    BufferedImage image = new BufferedImage(rgb[0].length, rgb.length, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < rgb.length; y++) {
      for (int x = 0; x < rgb[0].length; x++) {
        image.setRGB(x, y, rgb[y][x]);
      }
    }
    return encode(image, "png");
  }

  public static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A zip of the entries, in map order. */
  public static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * A ustar tar of the entries, in map order; names over 100 bytes get a GNU long-name ({@code
   * L}) entry first, as GNU tar writes them.
   */
  public static byte[] tar(Map<String, byte[]> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      if (name.length > 100) {
        byte[] longName = java.util.Arrays.copyOf(name, name.length + 1);
        entry(out, "././@LongLink".getBytes(StandardCharsets.US_ASCII), 'L', longName);
        name = java.util.Arrays.copyOf(name, 100);
      }
      entry(out, name, '0', e.getValue());
    }
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  private static void entry(ByteArrayOutputStream out, byte[] name, char type, byte[] body) {
    byte[] header = new byte[512];
    System.arraycopy(name, 0, header, 0, name.length);
    put(header, 100, "0000644");
    put(header, 108, "0000000");
    put(header, 116, "0000000");
    put(header, 124, String.format("%011o", body.length));
    put(header, 136, "00000000000");
    header[156] = (byte) type;
    put(header, 257, "ustar");
    header[262] = 0;
    put(header, 263, "00");
    for (int i = 148; i < 156; i++) {
      header[i] = ' ';
    }
    int sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, String.format("%06o", sum));
    header[154] = 0;
    out.writeBytes(header);
    out.writeBytes(body);
    out.writeBytes(new byte[(512 - body.length % 512) % 512]);
  }

  private static void put(byte[] header, int offset, String text) {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, header, offset, b.length);
  }
}
