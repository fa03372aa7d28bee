package dev.trainerd.data;

/** How the bytes of a dataset are to be read. */
public enum DatasetFormat {
  /**
   * Decide from the content: a zip or tar archive means IMAGE_FOLDER (one file) or IMAGE_LIST
   * (two files); gzip or IDX magic numbers mean IDX; anything else CSV. CIFAR has no magic
   * number and gzipped tar archives look like IDX, so both must be asked for.
   */
  AUTO,
  /** One delimited text file with a header row. */
  CSV,
  /** An images file (magic 0x00000803) and a labels file (0x00000801), raw or gzipped. */
  IDX,
  /** Examples produced by a generator of the chapter and stored in trainerd's binary layout. */
  SYNTHETIC,
  /** A zip or tar archive of class-named folders of PNG or JPEG images. */
  IMAGE_FOLDER,
  /** A zip or tar archive of PNG or JPEG images plus a {@code path,label} CSV list file. */
  IMAGE_LIST,
  /** CIFAR-10 or CIFAR-100 binary batch files (label bytes then 3072 pixel bytes per record). */
  CIFAR
}
