package dev.trainerd.sweeps;

import java.util.List;
import java.util.Objects;

/** One dimension of a parameter space: which parameter, and the values it may take. */
public sealed interface Dimension {
  /** The parameter's name as the request spelled it (see {@link SweepParameters}). */
  String name();

  /**
   * Grid search over listed values.
   *
   * @param values the values as text, in order
   */
  record Grid(String name, List<String> values) implements Dimension {
    public Grid {
      Objects.requireNonNull(name, "name");
      values = List.copyOf(values);
    }
  }

  /**
   * Random search over a numeric range.
   *
   * @param min lower bound, inclusive
   * @param max upper bound: inclusive for {@link Distribution#INTEGER}, exclusive otherwise
   */
  record Range(String name, double min, double max, Distribution distribution) implements Dimension {
    public Range {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(distribution, "distribution");
    }
  }
}
