/**
 * The TensorFlow Java backend of the {@link dev.trainerd.ml.Trainer} port: graph builders, the
 * compiled training steps, evaluation, prediction and SavedModel export. The only package that
 * imports {@code org.tensorflow}.
 *
 * <p>Native-safety rules followed here (see the project's TensorFlow notes): no custom gradients,
 * no {@code SparseSoftmaxCrossEntropyWithLogits} (no gradient; the dense fused op with in-graph
 * one-hot labels instead), no {@code Square} (products instead; {@code L2Loss} for weight decay),
 * no {@code OnesLike} on a differentiated path (no gradient), gradients taken with respect to
 * {@code ReadVariableOp} outputs, never raw variables; initial values drawn in Java; data sets in
 * resource variables, never graph constants. {@code GradientSafetyTest} builds and runs the
 * gradient of every op the graphs can differentiate through.
 *
 * <p>Speed, as measured on the 2-core machine: per-run overhead dominates small models, so
 * {@code stepsPerRun} full minibatch steps are chained in one graph run (step j reads the
 * parameters after step j-1's update through control dependencies; the last, short batch and
 * any remainder run as single steps with the same ops, so results do not depend on the setting).
 * With oneDNN on (TensorFlow's default), a batch-256 matrix product fits in L2 and oneDNN runs it
 * on one thread whatever the intra-op setting; wide layers' weights are stored as column blocks
 * (separate variables, so no step copies them apart) and the inter-op pool runs one block's
 * product per core. The intra-op pool then gets one thread per core share of the blocks: a larger
 * one makes sharded ops such as the batch's gather wait for the thread running the other block's
 * product. Dropout masks are drawn from a stateless seed
 * (job seed, step number, layer) and a shape that does not depend on the activations, so they are
 * generated while the layer's product runs.
 */
package dev.trainerd.ml.tf;
