package dev.trainerd.errors;

import java.util.Objects;

/**
 * One invalid field of a request.
 *
 * @param field path of the field in the request, in the proto's snake_case naming with dots and
 *     indices (for example {@code spec.model.mlp.hidden_layers[1].units})
 * @param description what is wrong and what would be accepted, short and actionable
 */
public record FieldViolation(String field, String description) {
  public FieldViolation {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(description, "description");
  }

  /** The same violation with {@code prefix.} in front of its field path. */
  public FieldViolation under(String prefix) {
    return new FieldViolation(field.isEmpty() ? prefix : prefix + "." + field, description);
  }
}
