package dev.trainerd.data.image;

import dev.trainerd.errors.TrainerdException;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG and JPEG bytes with {@code javax.imageio} into {@link ImageTensor}s of pixel values
 * 0..255: one channel for greyscale images (read from the raster, so no colour conversion alters
 * the values; 16-bit samples keep their high byte), three (R, G, B) for colour and palette images;
 * alpha is dropped. The size is read from the header and checked against the pixel limit before
 * any pixel is decoded.
 */
public final class ImageDecoder {

  private final long maxPixels;

  /** @param maxPixels most height x width pixels one image may have */
  public ImageDecoder(long maxPixels) {
    this.maxPixels = maxPixels;
  }

  /** Whether a file name has an extension this decoder reads ({@code .png .jpg .jpeg}). */
  public static boolean isImageName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
  }

  /**
   * Decodes one image.
   *
   * @param field the violation field naming the image, such as {@code files[a.zip:cat/1.png]}
   * @throws TrainerdException.InvalidArgument when the bytes are not a readable PNG or JPEG, or
   *     the image is larger than the limit
   */
  public ImageTensor decode(byte[] bytes, String field) {
    // A memory-cached stream: ImageIO.createImageInputStream would spool every image to a
    // temporary file when the global ImageIO cache is on (its default).
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw TrainerdException.InvalidArgument.of(field, "is not a PNG or JPEG image");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels > maxPixels) {
          throw TrainerdException.InvalidArgument.of(
              field,
              "is " + reader.getWidth(0) + "x" + reader.getHeight(0) + " pixels, more than the limit of "
                  + maxPixels + " per image");
        }
        return toTensor(reader.read(0));
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof TrainerdException t) {
        throw t;
      }
      throw TrainerdException.InvalidArgument.of(
          field, "is a corrupt or unsupported image: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }
  }

  /** The pixels of a decoded image, planar. */
  static ImageTensor toTensor(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    if (cm.getNumColorComponents() == 1 && !(cm instanceof IndexColorModel)) {
      int shift = Math.max(0, cm.getComponentSize(0) - 8);
      float[] values = new float[h * w];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          values[y * w + x] = raster.getSample(x, y, 0) >> shift;
        }
      }
      return new ImageTensor(1, h, w, values, false);
    }
    float[] values = new float[3 * h * w];
    int plane = h * w;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = image.getRGB(x, y);
        values[y * w + x] = (rgb >> 16) & 0xff;
        values[plane + y * w + x] = (rgb >> 8) & 0xff;
        values[2 * plane + y * w + x] = rgb & 0xff;
      }
    }
    return new ImageTensor(3, h, w, values, false);
  }
}
