package dev.trainerd.data.image;

import dev.trainerd.data.DatasetFormat;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.DatasetParser;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.NamedFile;
import dev.trainerd.errors.TrainerdException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * IMAGE_FOLDER: one zip or tar (optionally gzipped) archive whose PNG and JPEG images sit in
 * folders named after their class ({@code cat/001.png}, {@code dog/002.jpg}); the class is the
 * image's immediate folder, so a wrapping top folder ({@code pets/cat/001.png}) is fine. Classes
 * are numbered in sorted folder-name order; examples follow the archive's order. Hidden files
 * (names starting with {@code .}) and {@code __MACOSX/} are skipped; any other non-image file,
 * or an image outside a folder, is an error.
 */
public final class ImageFolderParser implements DatasetParser {

  private final ArchiveLimits limits;

  public ImageFolderParser(ArchiveLimits limits) {
    this.limits = limits;
  }

  @Override
  public DatasetFormat format() {
    return DatasetFormat.IMAGE_FOLDER;
  }

  @Override
  public LoadedDataset parse(List<NamedFile> files, DatasetOptions options) {
    if (files.size() != 1) {
      throw TrainerdException.InvalidArgument.of(
          "files", "an image-folder data set is one zip or tar archive; got " + files.size() + " files");
    }
    NamedFile archive = files.get(0);
    String archiveField = "files[" + archive.name() + "]";
    ImageDecoder decoder = new ImageDecoder(limits.maxPixelsPerImage());
    ImagePipeline pipeline = new ImagePipeline(options.image());
    ImageRows rows = new ImageRows(pipeline, limits.maxTotalValues(), archiveField);
    List<String> arrivalClasses = new ArrayList<>();
    Map<String, Integer> arrivalIndex = new HashMap<>();
    new ArchiveEntries(limits)
        .read(
            archive,
            (name, bytes) -> {
              if (isSkipped(name)) {
                return;
              }
              String field = "files[" + archive.name() + ":" + name + "]";
              if (!ImageDecoder.isImageName(name)) {
                throw TrainerdException.InvalidArgument.of(
                    field, "is not a .png, .jpg or .jpeg image; an image folder holds only images in class folders");
              }
              int slash = name.lastIndexOf('/');
              if (slash < 0) {
                throw TrainerdException.InvalidArgument.of(
                    field, "is not inside a class folder (expected <class>/" + name + ")");
              }
              String folder = name.substring(0, slash);
              String className = folder.substring(folder.lastIndexOf('/') + 1);
              Integer label = arrivalIndex.computeIfAbsent(className, k -> {
                arrivalClasses.add(k);
                return arrivalClasses.size() - 1;
              });
              rows.add(decoder.decode(bytes, field), label, name, field);
            });
    List<String> sorted = new ArrayList<>(arrivalClasses);
    sorted.sort(null);
    int[] classOf = new int[arrivalClasses.size()];
    for (int i = 0; i < classOf.length; i++) {
      classOf[i] = sorted.indexOf(arrivalClasses.get(i));
    }
    return rows.build(classOf, sorted);
  }

  /** Folders, hidden files and macOS archive metadata are not examples. */
  static boolean isSkipped(String name) {
    String base = name.substring(name.lastIndexOf('/') + 1);
    return name.endsWith("/") || base.isEmpty() || base.startsWith(".") || name.startsWith("__MACOSX/");
  }
}
