/**
 * Image data sets: zip and tar archives of class folders or listed images (PNG and JPEG through
 * {@code javax.imageio}), CIFAR-10/100 binary batches, the archive safety limits, and the
 * transform pipeline (to_tensor, normalize, resize, crops, flips) that turns each image into one
 * flattened CHW row of {@link dev.trainerd.ml.Examples} (the deterministic view), plus, for
 * pipelines with random steps, the {@link dev.trainerd.ml.EpochAugmentation} that redraws the
 * training view every epoch.
 */
package dev.trainerd.data.image;
