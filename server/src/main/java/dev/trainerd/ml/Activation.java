package dev.trainerd.ml;

/** Element-wise non-linearity applied after a hidden layer's affine transform. */
public enum Activation {
  RELU,
  SIGMOID,
  TANH,
  IDENTITY
}
