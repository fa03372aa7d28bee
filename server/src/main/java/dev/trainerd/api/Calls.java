package dev.trainerd.api;

import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Runs a unary handler and routes any failure through {@link ErrorMapper}. */
final class Calls {
  private Calls() {}

  static <T> void unary(StreamObserver<T> response, Supplier<T> handler) {
    T result;
    try {
      result = handler.get();
    } catch (RuntimeException e) {
      response.onError(ErrorMapper.toStatusException(e));
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }

  /** Checks a free-text name field; returns it trimmed. */
  static String displayName(String value, String field) {
    if (value.length() > 200) {
      throw ErrorMapper.invalid(field, "must be at most 200 characters, was " + value.length());
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      throw ErrorMapper.invalid(field, "must not contain control characters");
    }
    return value.strip();
  }
}
