package dev.trainerd.data;

import dev.trainerd.data.idx.IdxReader;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The IDX format as a {@link DatasetParser}: decides which of the two uploaded files holds the
 * images and which the labels (by their magic numbers, looking through gzip), whatever order and
 * names they came with, and hands both to an {@link IdxDecoder} that reads them. Class names are
 * the label values as text ({@code "0"}..{@code "9"} for Fashion-MNIST).
 *
 * <p>During an upload the store decodes each file on its own as it arrives ({@link #fileDecoder()},
 * {@link IdxReader#readPart}); when that gave one images and one labels file, the parse only pairs
 * them, else it reads the files as above.
 */
public final class IdxDatasetParser implements DatasetParser {

  /** Magic of an unsigned-byte, 3-dimensional IDX file (images). */
  static final int IMAGES_MAGIC = 0x00000803;

  /** Magic of an unsigned-byte, 1-dimensional IDX file (labels). */
  static final int LABELS_MAGIC = 0x00000801;

  /**
   * Reads an images stream and a labels stream (each raw or gzipped) into examples; the streaming
   * IDX reader of {@code data/idx} has this shape ({@code IdxReader::read}).
   */
  @FunctionalInterface
  public interface IdxDecoder {
    /**
     * @param imagesField violation field for problems in the images file
     * @param labelsField violation field for problems in the labels file
     */
    Examples read(InputStream images, String imagesField, InputStream labels, String labelsField);
  }

  private final IdxDecoder decoder;

  public IdxDatasetParser(IdxDecoder decoder) {
    this.decoder = Objects.requireNonNull(decoder, "decoder");
  }

  @Override
  public DatasetFormat format() {
    return DatasetFormat.IDX;
  }

  @Override
  public LoadedDataset parse(List<NamedFile> files, DatasetOptions options) {
    if (files.size() != 2) {
      throw TrainerdException.InvalidArgument.of(
          "files", "an IDX dataset is two files, images and labels; got " + files.size());
    }
    Optional<LoadedDataset> early = fromEarlyDecodes(files);
    if (early.isPresent()) {
      return early.get();
    }
    NamedFile images = null;
    NamedFile labels = null;
    for (NamedFile f : files) {
      int magic = magic(f);
      if (magic == IMAGES_MAGIC && images == null) {
        images = f;
      } else if (magic == LABELS_MAGIC && labels == null) {
        labels = f;
      } else if (magic == IMAGES_MAGIC || magic == LABELS_MAGIC) {
        throw TrainerdException.InvalidArgument.of(
            field(f), "both files are IDX " + (magic == IMAGES_MAGIC ? "images" : "labels") + " files");
      } else {
        throw TrainerdException.InvalidArgument.of(
            field(f),
            String.format(
                "%s starts with magic 0x%08x, which is neither IDX images (0x%08x) nor labels (0x%08x)",
                f.name(), magic, IMAGES_MAGIC, LABELS_MAGIC));
      }
    }
    try (InputStream imageBytes = Files.newInputStream(images.path());
        InputStream labelBytes = Files.newInputStream(labels.path())) {
      return dense(decoder.read(imageBytes, field(images), labelBytes, field(labels)));
    } catch (IOException e) {
      throw new TrainerdException.Internal("DATASET_READ_FAILED", "could not read the IDX files", e);
    }
  }

  /**
   * Decodes each file on its own while it is uploaded ({@link IdxReader#readPart}), so that the
   * parse only pairs images with labels.
   */
  @Override
  public Optional<FileDecoder> fileDecoder() {
    return Optional.of((content, reserveBytes) -> new EarlyPart(IdxReader.readPart(content, "file", reserveBytes)));
  }

  /** One IDX file decoded during the upload. */
  private record EarlyPart(IdxReader.Part part) implements DecodedFile {}

  /**
   * The dataset from the files' early decodes when there is one images and one labels file among
   * them (else the files are read and checked as usual, with the usual messages).
   */
  private static Optional<LoadedDataset> fromEarlyDecodes(List<NamedFile> files) {
    IdxReader.Images images = null;
    IdxReader.Labels labels = null;
    NamedFile labelsFile = null;
    for (NamedFile f : files) {
      Optional<DecodedFile> decoded = f.earlyDecoded();
      if (decoded.isEmpty() || !(decoded.get() instanceof EarlyPart early)) {
        return Optional.empty();
      }
      if (early.part() instanceof IdxReader.Images i && images == null) {
        images = i;
      } else if (early.part() instanceof IdxReader.Labels l && labels == null) {
        labels = l;
        labelsFile = f;
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(dense(IdxReader.combine(images, labels, field(labelsFile))));
  }

  private static LoadedDataset dense(Examples examples) {
    List<String> classNames = new ArrayList<>();
    if (examples.labels() instanceof Examples.Labels.Classes classes) {
      for (int k = 0; k < classes.classCount(); k++) {
        classNames.add(Integer.toString(k));
      }
    }
    return new LoadedDataset.Dense(examples, classNames);
  }

  /** The first four bytes as a big-endian int, after gunzip when the file is gzipped. */
  private static int magic(NamedFile f) {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(f.path()))) {
      raw.mark(2);
      boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
      raw.reset();
      InputStream in = gzip ? new GZIPInputStream(raw) : raw;
      byte[] head = in.readNBytes(4);
      if (head.length < 4) {
        throw new EOFException();
      }
      return ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
    } catch (EOFException | ZipException e) {
      throw TrainerdException.InvalidArgument.of(
          field(f), f.name() + " is too short or not valid gzip: no IDX header");
    } catch (IOException e) {
      throw new TrainerdException.Internal("DATASET_READ_FAILED", "could not read " + f.name(), e);
    }
  }

  private static String field(NamedFile f) {
    return "files[" + f.name() + "]";
  }
}
