/**
 * Backend-neutral machine learning: model specs, hyperparameters, losses, initialisers and
 * optimisers as typed values, the {@code Trainer} port and the metrics it reports. Nothing here
 * knows about TensorFlow or gRPC.
 */
package dev.trainerd.ml;
