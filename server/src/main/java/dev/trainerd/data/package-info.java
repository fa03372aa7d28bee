/**
 * Datasets: the options a dataset is uploaded with, the format parsers (CSV here, IDX and
 * synthetic data plugged in through {@link dev.trainerd.data.DatasetParser}), the metadata record
 * kept for every stored dataset, the preparation of training and evaluation
 * {@link dev.trainerd.ml.Examples} and the submission writer. Nothing here touches the disk layout
 * of the store or gRPC.
 */
package dev.trainerd.data;
