/**
 * The IDX format of (Fashion-)MNIST: images and labels files, raw or gzipped, read as streams into
 * {@link dev.trainerd.ml.Examples}.
 */
package dev.trainerd.data.idx;
