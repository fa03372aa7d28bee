package dev.trainerd.data.image;

import dev.trainerd.data.CifarLabels;
import dev.trainerd.data.DatasetFormat;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.DatasetParser;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.NamedFile;
import dev.trainerd.errors.TrainerdException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CIFAR: the binary batches of CIFAR-10 ({@code <label><3072 pixels>} records) and CIFAR-100
 * ({@code <coarse><fine><3072 pixels>}), pixels as a 32x32 R plane, then G, then B. Every file
 * not ending in {@code .txt} is a batch, read in upload order (upload the five CIFAR-10 training
 * batches as one data set). An optional {@code .txt} file names the classes, one per line, as the
 * archives' {@code batches.meta.txt}, {@code fine_label_names.txt} and {@code
 * coarse_label_names.txt} do; with several, the one whose name contains {@code fine} or {@code
 * coarse} is chosen. Without one the classes are named {@code 0}..{@code k-1}.
 */
public final class CifarParser implements DatasetParser {

  /** Pixel bytes per record: 3 planes of 32 x 32. */
  public static final int PIXEL_BYTES = 3 * 32 * 32;

  private final ArchiveLimits limits;

  public CifarParser(ArchiveLimits limits) {
    this.limits = limits;
  }

  @Override
  public DatasetFormat format() {
    return DatasetFormat.CIFAR;
  }

  @Override
  public LoadedDataset parse(List<NamedFile> files, DatasetOptions options) {
    List<NamedFile> batches = new ArrayList<>();
    List<NamedFile> names = new ArrayList<>();
    for (NamedFile f : files) {
      (f.name().toLowerCase(Locale.ROOT).endsWith(".txt") ? names : batches).add(f);
    }
    if (batches.isEmpty()) {
      throw TrainerdException.InvalidArgument.of("files", "a CIFAR data set needs at least one binary batch file");
    }
    CifarLabels labels = resolve(options.image().cifarLabels(), batches);
    int labelBytes = labels == CifarLabels.CIFAR10 ? 1 : 2;
    int labelOffset = labels == CifarLabels.CIFAR100_FINE ? 1 : 0;
    int classCount = switch (labels) {
      case CIFAR10 -> 10;
      case CIFAR100_FINE -> 100;
      default -> 20;
    };
    int recordBytes = labelBytes + PIXEL_BYTES;
    ImagePipeline pipeline = new ImagePipeline(options.image());
    ImageRows rows = new ImageRows(pipeline, limits.maxTotalValues(), "files");
    byte[] record = new byte[recordBytes];
    for (NamedFile batch : batches) {
      String field = "files[" + batch.name() + "]";
      long size = size(batch);
      if (size == 0 || size % recordBytes != 0) {
        throw TrainerdException.InvalidArgument.of(
            field, "is " + size + " bytes, not a whole number of " + recordBytes + "-byte " + labels + " records");
      }
      try (InputStream in = new BufferedInputStream(Files.newInputStream(batch.path()), 1 << 16)) {
        for (long r = 0; r < size / recordBytes; r++) {
          in.readNBytes(record, 0, recordBytes);
          int label = record[labelOffset] & 0xff;
          if (label >= classCount) {
            throw TrainerdException.InvalidArgument.of(
                field, "record " + r + " has label " + label + "; " + labels + " labels are 0 to " + (classCount - 1));
          }
          float[] pixels = new float[PIXEL_BYTES];
          for (int i = 0; i < PIXEL_BYTES; i++) {
            pixels[i] = record[labelBytes + i] & 0xff;
          }
          String recordField = "files[" + batch.name() + ":" + r + "]";
          rows.add(new ImageTensor(3, 32, 32, pixels, false), label, batch.name() + " record " + r, recordField);
        }
      } catch (IOException e) {
        throw new TrainerdException.Internal("DATASET_READ_FAILED", "could not read " + batch.name(), e);
      }
    }
    return rows.build(null, classNames(names, labels, classCount));
  }

  private static CifarLabels resolve(CifarLabels requested, List<NamedFile> batches) {
    if (requested != CifarLabels.AUTO) {
      return requested;
    }
    boolean ten = true;
    boolean hundred = true;
    for (NamedFile b : batches) {
      long size = size(b);
      ten &= size % (PIXEL_BYTES + 1) == 0;
      hundred &= size % (PIXEL_BYTES + 2) == 0;
    }
    if (ten == hundred) {
      throw TrainerdException.InvalidArgument.of(
          "cifar_labels",
          "the file sizes " + (ten ? "fit both" : "fit neither") + " CIFAR-10 (3073-byte) and CIFAR-100 (3074-byte) records; "
              + "set cifar_labels to CIFAR10, CIFAR100_FINE or CIFAR100_COARSE");
    }
    return ten ? CifarLabels.CIFAR10 : CifarLabels.CIFAR100_FINE;
  }

  private static List<String> classNames(List<NamedFile> files, CifarLabels labels, int classCount) {
    NamedFile chosen = null;
    if (files.size() == 1) {
      chosen = files.get(0);
    } else if (files.size() > 1) {
      String key = labels == CifarLabels.CIFAR100_COARSE ? "coarse" : "fine";
      for (NamedFile f : files) {
        if (f.name().toLowerCase(Locale.ROOT).contains(key)) {
          if (chosen != null) {
            throw TrainerdException.InvalidArgument.of("files", "two class-name files mention '" + key + "'");
          }
          chosen = f;
        }
      }
      if (chosen == null) {
        throw TrainerdException.InvalidArgument.of(
            "files", "several .txt files but none has '" + key + "' in its name to name the " + labels + " classes");
      }
    }
    List<String> out = new ArrayList<>();
    if (chosen == null) {
      for (int k = 0; k < classCount; k++) {
        out.add(Integer.toString(k));
      }
      return out;
    }
    try {
      for (String line : Files.readAllLines(chosen.path(), StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          out.add(line.strip());
        }
      }
    } catch (IOException e) {
      throw TrainerdException.InvalidArgument.of("files[" + chosen.name() + "]", "is not UTF-8 text of class names");
    }
    if (out.size() != classCount) {
      throw TrainerdException.InvalidArgument.of(
          "files[" + chosen.name() + "]", "names " + out.size() + " classes; " + labels + " has " + classCount);
    }
    return out;
  }

  private static long size(NamedFile f) {
    try {
      return Files.size(f.path());
    } catch (IOException e) {
      throw new TrainerdException.Internal("DATASET_READ_FAILED", "could not read " + f.name(), e);
    }
  }
}
