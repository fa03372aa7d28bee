package dev.trainerd.store;

import dev.trainerd.errors.TrainerdException;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Resource ids: short, lowercase, URL- and file-safe. Every id is checked against {@link #VALID}
 * before it becomes part of a path, so no request can name a file outside the data directory.
 */
public final class Ids {
  /** Lowercase letters and digits, optionally with inner dashes; 1 to 64 characters. */
  public static final Pattern VALID = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?");

  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final SecureRandom random = new SecureRandom();

  /** A fresh random id of 12 characters (about 62 bits). */
  public String next() {
    char[] out = new char[12];
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return new String(out);
  }

  /** Whether {@code id} is well formed. */
  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
  }

  /** Returns {@code id} or throws INVALID_ARGUMENT if it could escape a directory. */
  public static String requireValid(String id) {
    if (!isValid(id)) {
      throw TrainerdException.InvalidArgument.of("name", "id '" + id + "' is malformed");
    }
    return id;
  }
}
