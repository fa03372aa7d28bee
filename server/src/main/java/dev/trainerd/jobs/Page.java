package dev.trainerd.jobs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import dev.trainerd.errors.TrainerdException;

/**
 * One page of a newest-first listing. Page tokens name the last item's (create time, id) key, so
 * items created between two calls never shift or repeat a page.
 *
 * @param items this page
 * @param nextPageToken token of the next page, empty on the last
 */
public record Page<T>(List<T> items, String nextPageToken) {
  /** Default page size when a request gives 0. */
  public static final int DEFAULT_SIZE = 50;
  /** Largest page size served. */
  public static final int MAX_SIZE = 1000;

  public Page {
    items = List.copyOf(items);
  }

  /** The key items are ordered by: newest first, ties broken by id. */
  public record Key(Instant createTime, String id) {}

  /**
   * Cuts one page out of {@code all} (any order), newest first.
   *
   * @param pageSize requested size; 0 means {@link #DEFAULT_SIZE}
   * @param pageToken empty for the first page
   * @param fieldPrefix request field names for error messages ("" at the top level)
   */
  public static <T> Page<T> of(
      List<T> all, Function<T, Key> key, int pageSize, String pageToken, String fieldPrefix) {
    if (pageSize < 0 || pageSize > MAX_SIZE) {
      throw TrainerdException.InvalidArgument.of(
          fieldPrefix + "page_size", "must be in [0, " + MAX_SIZE + "], was " + pageSize);
    }
    int size = pageSize == 0 ? DEFAULT_SIZE : pageSize;
    Comparator<Key> order =
        Comparator.comparing(Key::createTime).reversed().thenComparing(Key::id);
    List<T> sorted = new ArrayList<>(all);
    sorted.sort((a, b) -> order.compare(key.apply(a), key.apply(b)));
    int start = 0;
    if (!pageToken.isEmpty()) {
      Key after = decode(pageToken, fieldPrefix);
      while (start < sorted.size() && order.compare(key.apply(sorted.get(start)), after) <= 0) {
        start++;
      }
    }
    int end = Math.min(sorted.size(), start + size);
    List<T> items = sorted.subList(start, end);
    String next = end < sorted.size() ? encode(key.apply(sorted.get(end - 1))) : "";
    return new Page<>(items, next);
  }

  static String encode(Key key) {
    String raw = key.createTime().getEpochSecond() + "." + key.createTime().getNano() + "." + key.id();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static Key decode(String token, String fieldPrefix) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String[] parts = raw.split("\\.", 3);
      return new Key(
          Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])), parts[2]);
    } catch (RuntimeException e) {
      throw TrainerdException.InvalidArgument.of(
          fieldPrefix + "page_token", "is not a token this server issued; start with an empty token");
    }
  }
}
