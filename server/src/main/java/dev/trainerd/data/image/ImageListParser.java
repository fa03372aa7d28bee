package dev.trainerd.data.image;

import dev.trainerd.data.DatasetFormat;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.DatasetParser;
import dev.trainerd.data.DatasetParsers;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.NamedFile;
import dev.trainerd.errors.TrainerdException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * IMAGE_LIST: two files in one upload, in either order: a zip or tar archive of PNG and JPEG
 * images, and a CSV list of {@code path,label} rows (an optional first row {@code path,label} is
 * a header) naming each image by its path inside the archive. Labels are any text; classes are
 * numbered in sorted label order (numerically when every label is an integer). Only listed
 * images become examples, in the archive's order; every listed path must be in the archive,
 * listed once.
 */
public final class ImageListParser implements DatasetParser {

  private final ArchiveLimits limits;

  public ImageListParser(ArchiveLimits limits) {
    this.limits = limits;
  }

  @Override
  public DatasetFormat format() {
    return DatasetFormat.IMAGE_LIST;
  }

  @Override
  public LoadedDataset parse(List<NamedFile> files, DatasetOptions options) {
    if (files.size() != 2) {
      throw TrainerdException.InvalidArgument.of(
          "files", "an image-list data set is two files, an archive and a path,label list; got " + files.size());
    }
    boolean firstIsArchive = ArchiveEntries.looksLikeArchive(DatasetParsers.head(files.get(0)));
    boolean secondIsArchive = ArchiveEntries.looksLikeArchive(DatasetParsers.head(files.get(1)));
    if (firstIsArchive == secondIsArchive) {
      throw TrainerdException.InvalidArgument.of(
          "files", firstIsArchive ? "both files are archives; one must be the path,label list" : "neither file is a zip or tar archive");
    }
    NamedFile archive = firstIsArchive ? files.get(0) : files.get(1);
    NamedFile list = firstIsArchive ? files.get(1) : files.get(0);
    Map<String, String> labelByPath = readList(list);

    List<String> classNames = sortedClasses(labelByPath.values());
    Map<String, Integer> classIndex = new HashMap<>();
    for (int i = 0; i < classNames.size(); i++) {
      classIndex.put(classNames.get(i), i);
    }
    String archiveField = "files[" + archive.name() + "]";
    ImageDecoder decoder = new ImageDecoder(limits.maxPixelsPerImage());
    ImagePipeline pipeline = new ImagePipeline(options.image());
    ImageRows rows = new ImageRows(pipeline, limits.maxTotalValues(), archiveField);
    Set<String> seen = new HashSet<>();
    new ArchiveEntries(limits)
        .read(
            archive,
            (name, bytes) -> {
              String label = labelByPath.get(name);
              if (label == null || !seen.add(name)) {
                return;
              }
              String field = "files[" + archive.name() + ":" + name + "]";
              rows.add(decoder.decode(bytes, field), classIndex.get(label), name, field);
            });
    for (String path : labelByPath.keySet()) {
      if (!seen.contains(path)) {
        throw TrainerdException.InvalidArgument.of(
            "files[" + list.name() + "]", "lists " + path + ", which is not in " + archive.name());
      }
    }
    return rows.build(null, classNames);
  }

  private static Map<String, String> readList(NamedFile list) {
    String field = "files[" + list.name() + "]";
    Map<String, String> labelByPath = new LinkedHashMap<>();
    try (Reader reader = Files.newBufferedReader(list.path(), StandardCharsets.UTF_8)) {
      for (CSVRecord row : CSVFormat.DEFAULT.builder().setTrim(true).setIgnoreEmptyLines(true).get().parse(reader)) {
        long line = row.getRecordNumber();
        if (row.size() != 2) {
          throw TrainerdException.InvalidArgument.of(
              field, "row " + line + " has " + row.size() + " fields; each row is path,label");
        }
        String path = row.get(0).replace('\\', '/');
        String label = row.get(1);
        if (line == 1 && path.equalsIgnoreCase("path") && label.equalsIgnoreCase("label")) {
          continue;
        }
        if (path.startsWith("./")) {
          path = path.substring(2);
        }
        if (path.isEmpty() || label.isEmpty()) {
          throw TrainerdException.InvalidArgument.of(field, "row " + line + " has an empty path or label");
        }
        if (labelByPath.put(path, label) != null) {
          throw TrainerdException.InvalidArgument.of(field, "row " + line + " lists " + path + " a second time");
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      throw TrainerdException.InvalidArgument.of(field, "is not a readable UTF-8 CSV list: " + e.getMessage());
    }
    if (labelByPath.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(field, "lists no images");
    }
    return labelByPath;
  }

  /** Distinct labels sorted: numerically when all are integers, else as text. */
  static List<String> sortedClasses(java.util.Collection<String> labels) {
    List<String> distinct = new ArrayList<>(new HashSet<>(labels));
    boolean numeric = distinct.stream().allMatch(s -> s.matches("-?\\d{1,18}"));
    distinct.sort(numeric ? java.util.Comparator.comparingLong(Long::parseLong) : java.util.Comparator.naturalOrder());
    return distinct;
  }
}
