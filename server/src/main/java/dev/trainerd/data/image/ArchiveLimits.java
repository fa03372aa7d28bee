package dev.trainerd.data.image;

/**
 * What an uploaded image data set may expand to, so that a small archive cannot exhaust memory
 * (a decompression bomb). Every limit is checked while reading, on bytes actually inflated and
 * image headers actually read, never on sizes an archive claims.
 *
 * @param maxEntries most entries (files, folders, links) in one archive
 * @param maxTotalBytes most uncompressed bytes over all entries of one archive
 * @param maxEntryBytes most uncompressed bytes of one entry
 * @param maxPixelsPerImage most pixels (height x width) of one image, read from its header before
 *     it is decoded
 * @param maxTotalValues most floats of the whole data set after transforms (examples x features);
 *     separately, most values kept for per-epoch augmentation (the images before the first
 *     random transform)
 */
public record ArchiveLimits(
    int maxEntries, long maxTotalBytes, long maxEntryBytes, long maxPixelsPerImage, long maxTotalValues) {

  /**
   * 1,000,000 entries, 4 GiB uncompressed in all, 64 MiB per entry, 4096 x 4096 pixels per
   * image, 1.5 billion floats (6 GiB) in all.
   */
  public static final ArchiveLimits DEFAULTS =
      new ArchiveLimits(1_000_000, 4L << 30, 64L << 20, 4096L * 4096, 1_500_000_000L);

  public ArchiveLimits {
    if (maxEntries < 1 || maxTotalBytes < 1 || maxEntryBytes < 1 || maxPixelsPerImage < 1 || maxTotalValues < 1) {
      throw new IllegalArgumentException("archive limits must be positive");
    }
  }
}
