package dev.trainerd.data;

/** How the bytes of a dataset are to be read. */
public enum DatasetFormat {
  /** Decide from the content: gzip or IDX magic numbers mean IDX, anything else CSV. */
  AUTO,
  /** One delimited text file with a header row. */
  CSV,
  /** An images file (magic 0x00000803) and a labels file (0x00000801), raw or gzipped. */
  IDX,
  /** Examples produced by a generator of the chapter and stored in trainerd's binary layout. */
  SYNTHETIC
}
