/**
 * Hyperparameter sweeps: a base job spec, a parameter space (grid values or random ranges), and
 * trials that are ordinary training jobs run through {@link dev.trainerd.jobs.JobManager} with a
 * bounded parallelism. Trials are stopped early by the median rule, ranked by an objective, and
 * the sweep names the best model. Nothing here knows about gRPC or TensorFlow.
 */
package dev.trainerd.sweeps;
