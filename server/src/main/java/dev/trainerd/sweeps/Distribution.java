package dev.trainerd.sweeps;

/** How a random-search range is sampled. */
public enum Distribution {
  /** Uniform on {@code [min, max)}. */
  UNIFORM,
  /** {@code exp(U(log min, log max))}: every decade equally likely; needs {@code min > 0}. */
  LOG_UNIFORM,
  /** A uniform whole number in {@code [min, max]}. */
  INTEGER
}
