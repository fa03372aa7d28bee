package dev.trainerd.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The bearer tokens the server accepts, read from a file (a mounted Kubernetes secret, never the
 * command line). One token per line: {@code <role> <token>}, role {@code admin} or {@code reader};
 * blank lines and lines starting with {@code #} are ignored.
 */
public final class BearerTokens {
  /** Shortest token accepted, so a typo cannot leave a guessable credential. */
  public static final int MIN_TOKEN_LENGTH = 16;

  private record Entry(byte[] token, AccessPolicy.Role role) {}

  private final List<Entry> entries;

  private BearerTokens(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Parses a token file; a malformed line fails start-up with its line number. */
  public static BearerTokens load(Path file) throws IOException {
    List<Entry> entries = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length != 2) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected '<admin|reader> <token>'");
      }
      AccessPolicy.Role role;
      try {
        role = AccessPolicy.Role.valueOf(parts[0].toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": role must be admin or reader");
      }
      if (parts[1].length() < MIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException(
            file + " line " + (i + 1) + ": tokens must have at least " + MIN_TOKEN_LENGTH + " characters");
      }
      entries.add(new Entry(parts[1].getBytes(StandardCharsets.UTF_8), role));
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no tokens");
    }
    return new BearerTokens(entries);
  }

  /** The role of {@code token}; every entry is compared in constant time. */
  public Optional<AccessPolicy.Role> roleOf(String token) {
    byte[] given = token.getBytes(StandardCharsets.UTF_8);
    AccessPolicy.Role found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.token(), given) && (found == null || e.role().compareTo(found) > 0)) {
        found = e.role();
      }
    }
    return Optional.ofNullable(found);
  }
}
