/**
 * The Java client of trainerd: {@link dev.trainerd.client.TrainerClient} and its three resource
 * clients ({@link dev.trainerd.client.Datasets}, {@link dev.trainerd.client.TrainingJobs},
 * {@link dev.trainerd.client.Models}). Requests and resources are the generated
 * {@code dev.trainerd.v1} messages; every failure is a {@link dev.trainerd.client.TrainerException}.
 */
package dev.trainerd.client;
