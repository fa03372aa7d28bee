package dev.trainerd.sweeps;

import dev.trainerd.errors.FieldViolation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The dimensions a sweep explores. Grid dimensions form a cartesian product (the first dimension
 * varies slowest); range dimensions are drawn afresh for every trial from a generator seeded by the
 * sweep's seed, so the same seed gives the same trials.
 *
 * @param dimensions in request order; names must be unique after canonicalisation
 */
public record ParameterSpace(List<Dimension> dimensions) {
  /** Default trial count when every dimension is a random range. */
  public static final int DEFAULT_RANDOM_TRIALS = 10;
  /** Most trials one sweep may run. */
  public static final int MAX_TRIALS = 1000;

  public ParameterSpace {
    dimensions = List.copyOf(dimensions);
  }

  /**
   * Violations of the space on its own, with paths {@code parameters[i]...}: unknown or repeated
   * names, bad values, empty grids, ranges that are empty or on a non-numeric parameter.
   */
  public List<FieldViolation> validate() {
    List<FieldViolation> out = new ArrayList<>();
    if (dimensions.isEmpty()) {
      out.add(new FieldViolation("parameters", "must list at least one parameter to sweep"));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < dimensions.size(); i++) {
      Dimension d = dimensions.get(i);
      String path = "parameters[" + i + "]";
      Optional<String> name = SweepParameters.canonical(d.name());
      if (name.isEmpty()) {
        out.add(
            new FieldViolation(
                path + ".name", "'" + d.name() + "' is not a sweep parameter; use one of " + SweepParameters.catalogue()));
        continue;
      }
      if (!seen.add(name.get())) {
        out.add(new FieldViolation(path + ".name", name.get() + " appears more than once"));
      }
      if (d instanceof Dimension.Grid g) {
        if (g.values().isEmpty()) {
          out.add(new FieldViolation(path + ".values.values", "must list at least one value"));
        }
        for (int j = 0; j < g.values().size(); j++) {
          String where = path + ".values.values[" + j + "]";
          SweepParameters.checkValue(name.get(), g.values().get(j))
              .ifPresent(why -> out.add(new FieldViolation(where, why)));
        }
      } else if (d instanceof Dimension.Range r) {
        out.addAll(validateRange(name.get(), r, path + ".range"));
      }
    }
    return out;
  }

  private static List<FieldViolation> validateRange(String name, Dimension.Range r, String path) {
    List<FieldViolation> out = new ArrayList<>();
    if (!SweepParameters.isNumeric(name)) {
      out.add(new FieldViolation(path, name + " takes named values; list them as grid values instead"));
      return out;
    }
    if (!(Double.isFinite(r.min()) && Double.isFinite(r.max()) && r.min() < r.max())) {
      out.add(new FieldViolation(path + ".max", "must be greater than min (" + r.min() + "), was " + r.max()));
      return out;
    }
    if (r.distribution() == Distribution.LOG_UNIFORM && r.min() <= 0) {
      out.add(new FieldViolation(path + ".min", "must be > 0 for LOG_UNIFORM, was " + r.min()));
    }
    if (r.distribution() == Distribution.INTEGER && (r.min() != Math.rint(r.min()) || r.max() != Math.rint(r.max()))) {
      out.add(new FieldViolation(path, "INTEGER bounds must be whole numbers, were " + r.min() + " and " + r.max()));
    }
    // Every draw lies within the bounds, so checking both bounds checks every value.
    SweepParameters.checkValue(name, SweepParameters.format(name, r.min()))
        .ifPresent(why -> out.add(new FieldViolation(path + ".min", why)));
    double highest = r.distribution() == Distribution.INTEGER ? r.max() : Math.nextDown(r.max());
    SweepParameters.checkValue(name, SweepParameters.format(name, highest))
        .ifPresent(why -> out.add(new FieldViolation(path + ".max", why)));
    return out;
  }

  /** Points of the grid: the product of the grid dimensions' value counts (1 without any). */
  public long gridSize() {
    long size = 1;
    for (Dimension d : dimensions) {
      if (d instanceof Dimension.Grid g) {
        size = Math.multiplyExact(size, g.values().size());
      }
    }
    return size;
  }

  /** Whether the space has a random dimension. */
  public boolean hasRanges() {
    return dimensions.stream().anyMatch(d -> d instanceof Dimension.Range);
  }

  /** The trial count a request of 0 means: the grid's size, or 10 for a purely random space. */
  public int defaultTrialCount() {
    return hasRanges() && gridSize() == 1 ? DEFAULT_RANDOM_TRIALS : (int) Math.min(gridSize(), Integer.MAX_VALUE);
  }

  /**
   * The values of trials 1..{@code trialCount}, in canonical names and request order. Trial
   * {@code i} takes grid point {@code (i - 1) mod gridSize} and fresh draws for every range, so a
   * trial count above the grid's size repeats the grid with new random values. Call on a valid
   * space only.
   */
  public List<List<ParameterValue>> sample(int trialCount, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long grid = gridSize();
    List<List<ParameterValue>> trials = new ArrayList<>();
    for (int t = 0; t < trialCount; t++) {
      long point = t % grid;
      // Grid coordinates with the first dimension varying slowest.
      long[] index = new long[dimensions.size()];
      long rest = point;
      for (int i = dimensions.size() - 1; i >= 0; i--) {
        if (dimensions.get(i) instanceof Dimension.Grid g) {
          index[i] = rest % g.values().size();
          rest /= g.values().size();
        }
      }
      List<ParameterValue> values = new ArrayList<>();
      for (int i = 0; i < dimensions.size(); i++) {
        Dimension d = dimensions.get(i);
        String name = SweepParameters.canonical(d.name()).orElseThrow();
        if (d instanceof Dimension.Grid g) {
          values.add(new ParameterValue(name, g.values().get((int) index[i]).strip()));
        } else if (d instanceof Dimension.Range r) {
          values.add(new ParameterValue(name, SweepParameters.format(name, draw(r, random))));
        }
      }
      trials.add(values);
    }
    return trials;
  }

  /** One draw from a range. */
  static double draw(Dimension.Range r, SplittableRandom random) {
    return switch (r.distribution()) {
      case UNIFORM -> r.min() + random.nextDouble() * (r.max() - r.min());
      case LOG_UNIFORM -> Math.exp(Math.log(r.min()) + random.nextDouble() * (Math.log(r.max()) - Math.log(r.min())));
      case INTEGER -> random.nextLong((long) r.min(), (long) r.max() + 1);
    };
  }
}
