package dev.trainerd.api;

import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.store.Ids;
import java.util.List;

/** Resource names of the API ({@code datasets/{id}}, ...) and their parsing. */
public enum Names {
  DATASETS("datasets/"),
  TRAINING_JOBS("trainingJobs/"),
  MODELS("models/"),
  SWEEPS("sweeps/");

  private final String prefix;

  Names(String prefix) {
    this.prefix = prefix;
  }

  /** The resource name of {@code id}. */
  public String format(String id) {
    return prefix + id;
  }

  /** The id in {@code name}, or INVALID_ARGUMENT naming {@code field}. */
  public String parse(String name, String field) {
    String id = idOrNull(name);
    if (id == null) {
      throw TrainerdException.InvalidArgument.of(field, describe(name));
    }
    return id;
  }

  /** The id in {@code name}, or null after adding a violation for {@code field}. */
  public static String parseOrViolation(Names kind, String name, String field, List<FieldViolation> out) {
    String id = kind.idOrNull(name);
    if (id == null) {
      out.add(new FieldViolation(field, kind.describe(name)));
    }
    return id;
  }

  private String idOrNull(String name) {
    if (name == null || !name.startsWith(prefix)) {
      return null;
    }
    String id = name.substring(prefix.length());
    return Ids.isValid(id) ? id : null;
  }

  private String describe(String name) {
    return name == null || name.isEmpty()
        ? "is required, as " + prefix + "{id}"
        : "must look like " + prefix + "{id} (lowercase letters, digits, dashes), was '" + name + "'";
  }
}
