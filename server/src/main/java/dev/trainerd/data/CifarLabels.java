package dev.trainerd.data;

/** Which label of a CIFAR binary record becomes the example's class. */
public enum CifarLabels {
  /**
   * Decide from the file sizes: records of 3073 bytes mean CIFAR-10, of 3074 bytes CIFAR-100
   * with its fine labels; sizes that fit both (or neither) are an error asking to choose.
   */
  AUTO,
  /** CIFAR-10: one label byte per record, 10 classes. */
  CIFAR10,
  /** CIFAR-100: coarse and fine label bytes per record; the fine label, 100 classes. */
  CIFAR100_FINE,
  /** CIFAR-100: the coarse label (superclass), 20 classes. */
  CIFAR100_COARSE
}
