package dev.trainerd.training;

import dev.trainerd.ml.Examples;
import java.util.List;
import java.util.Optional;

/**
 * A job's examples after preprocessing, plus what a model needs to interpret them later.
 *
 * @param train training examples (all of them for K-fold and holdout jobs, before splitting)
 * @param evaluation examples of an explicit test data set
 * @param preprocessorJson the fitted tabular preprocessing, empty for dense data
 * @param featureNames input names after preprocessing (tabular data)
 * @param classNames class names by index (classification)
 * @param idColumn the training data's id column, empty if none
 * @param labelColumn the label column, or empty for dense data
 */
record PreparedData(
    Examples train,
    Optional<Examples> evaluation,
    Optional<String> preprocessorJson,
    List<String> featureNames,
    List<String> classNames,
    String idColumn,
    String labelColumn) {}
