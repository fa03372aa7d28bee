package dev.trainerd.models;

import dev.trainerd.ml.Device;
import java.util.Optional;

/**
 * Enough to reproduce a model: the exact data, the seed and the software that trained it.
 *
 * @param datasetId the training data set
 * @param datasetSha256 its content hash
 * @param testDatasetSha256 the evaluation data set's hash, when one was used
 * @param seed the seed used (drawn by the server when the client gave none)
 * @param trainerdVersion trainerd's version
 * @param tensorflowVersion TensorFlow's version
 * @param javaVersion the Java runtime's version
 * @param device where it trained
 */
public record Provenance(
    String datasetId,
    String datasetSha256,
    Optional<String> testDatasetSha256,
    long seed,
    String trainerdVersion,
    String tensorflowVersion,
    String javaVersion,
    Device device) {}
