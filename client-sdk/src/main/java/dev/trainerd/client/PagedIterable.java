package dev.trainerd.client;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The items of a paged list call, fetching the next page only when iteration reaches it. Each
 * {@link #iterator()} starts again from the first page. Call failures surface as
 * {@link TrainerException} from {@code hasNext()}.
 *
 * @param <T> the resource type
 */
public final class PagedIterable<T> implements Iterable<T> {
  /** One page of a list response. */
  record Page<T>(List<T> items, String nextPageToken) {}

  private final Function<String, Page<T>> fetch;

  PagedIterable(Function<String, Page<T>> fetch) {
    this.fetch = fetch;
  }

  @Override
  public Iterator<T> iterator() {
    return new Iterator<>() {
      private Iterator<T> current = List.<T>of().iterator();
      private String token = "";
      private boolean last;

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && !last) {
          Page<T> page = fetch.apply(token);
          current = page.items().iterator();
          token = page.nextPageToken();
          last = token.isEmpty();
        }
        return current.hasNext();
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
  }

  /** A sequential stream over every item, paging lazily. */
  public Stream<T> stream() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  /** Every item, fetching all pages now. */
  public List<T> toList() {
    return stream().toList();
  }
}
