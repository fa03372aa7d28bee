package dev.trainerd.store;

import dev.trainerd.errors.TrainerdException;
import java.util.regex.Pattern;

/**
 * Dataset ids: the first 80 bits of a SHA-256 in lowercase base32 ({@code a-z2-7}), 16
 * characters. Ids are validated against this shape before any path is built from them, so no id
 * can name a file outside the store.
 */
public final class DatasetIds {

  /** Length of an id in characters. */
  public static final int LENGTH = 16;

  private static final Pattern SHAPE = Pattern.compile("[a-z2-7]{" + LENGTH + "}");
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final String PREFIX = "datasets/";

  private DatasetIds() {}

  /** The id for a digest (at least 10 bytes). */
  public static String fromDigest(byte[] digest) {
    StringBuilder id = new StringBuilder(LENGTH);
    long buffer = 0;
    int bits = 0;
    for (int i = 0; id.length() < LENGTH; i++) {
      buffer = (buffer << 8) | (digest[i] & 0xff);
      bits += 8;
      while (bits >= 5 && id.length() < LENGTH) {
        id.append(ALPHABET[(int) (buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    return id.toString();
  }

  /** Whether {@code id} has the shape of a dataset id. */
  public static boolean isValid(String id) {
    return id != null && SHAPE.matcher(id).matches();
  }

  /**
   * Returns {@code id} if it has the shape of a dataset id.
   *
   * @param field the request field to name in the violation
   */
  public static String requireValid(String id, String field) {
    if (!isValid(id)) {
      throw TrainerdException.InvalidArgument.of(
          field, "'" + id + "' is not a dataset id (" + LENGTH + " characters a-z, 2-7)");
    }
    return id;
  }

  /** The id in a resource name {@code datasets/{id}}, validated. */
  public static String fromResourceName(String name, String field) {
    if (name == null || !name.startsWith(PREFIX)) {
      throw TrainerdException.InvalidArgument.of(field, "must look like datasets/{id}");
    }
    return requireValid(name.substring(PREFIX.length()), field);
  }
}
