package dev.trainerd.ml;

/** Where a job's graph runs. */
public enum Device {
  /** CPU only: GPUs are hidden from the session even when present. */
  CPU,
  /** A GPU is required; training fails with a clear error when none is visible. */
  GPU,
  /**
   * A GPU when one is visible (and the GPU native library is installed) and the model is large
   * enough to gain from it, else the CPU ({@link Trainer#resolveDevice(TrainingSpec, Examples)}).
   */
  AUTO
}
