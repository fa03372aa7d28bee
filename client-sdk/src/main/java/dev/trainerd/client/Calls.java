package dev.trainerd.client;

import java.util.function.Supplier;

/** Runs a call and turns any failure into a {@link TrainerException}. */
final class Calls {
  private Calls() {}

  static <T> T call(Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      throw TrainerException.from(e);
    }
  }
}
