package dev.trainerd.client;

import java.util.Objects;

/**
 * One invalid field of a request: its path as the server names it (e.g.
 * {@code spec.learning_rate}) and why it is invalid.
 *
 * @param field path of the field in the request
 * @param description what is wrong and what is allowed
 */
public record FieldViolation(String field, String description) {
  /** Checks both parts are present. */
  public FieldViolation {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(description, "description");
  }

  @Override
  public String toString() {
    return field + ": " + description;
  }
}
