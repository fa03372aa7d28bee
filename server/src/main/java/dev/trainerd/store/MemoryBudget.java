package dev.trainerd.store;

import java.util.concurrent.atomic.AtomicLong;

/** Bytes of memory that concurrent users reserve from one shared limit, all or nothing. */
final class MemoryBudget {

  private final long limit;
  private final AtomicLong reserved = new AtomicLong();

  /** @param limit most bytes reserved at once; 0 reserves nothing */
  MemoryBudget(long limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative");
    }
    this.limit = limit;
  }

  /** Reserves {@code bytes} if they fit under the limit with what is already reserved. */
  boolean tryReserve(long bytes) {
    while (true) {
      long now = reserved.get();
      if (bytes > limit - now) {
        return false;
      }
      if (reserved.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /** Returns bytes reserved earlier. */
  void release(long bytes) {
    reserved.addAndGet(-bytes);
  }

  /** Bytes reserved now. */
  long reserved() {
    return reserved.get();
  }
}
