package dev.trainerd.sweeps;

import java.util.Objects;

/**
 * A parameter's value in one trial.
 *
 * @param name the canonical parameter name (e.g. {@code learning_rate})
 * @param value the value as text (e.g. {@code 0.01}, {@code adam})
 */
public record ParameterValue(String name, String value) {
  public ParameterValue {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }

  @Override
  public String toString() {
    return name + "=" + value;
  }
}
