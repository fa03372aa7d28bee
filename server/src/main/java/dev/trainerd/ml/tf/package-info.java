/**
 * The TensorFlow Java backend of the {@link dev.trainerd.ml.Trainer} port: graph builders, the
 * compiled training steps, evaluation, prediction and SavedModel export. The only package that
 * imports {@code org.tensorflow}.
 *
 * <p>Native-safety rules followed here (see the project's TensorFlow notes): no custom gradients,
 * no {@code SparseSoftmaxCrossEntropyWithLogits} (no gradient; the dense fused op with in-graph
 * one-hot labels instead), no {@code Square} (products instead; {@code L2Loss} for weight decay),
 * gradients taken with respect to {@code ReadVariableOp} outputs, never raw variables; initial
 * values drawn in Java; data sets in resource variables, never graph constants.
 */
package dev.trainerd.ml.tf;
