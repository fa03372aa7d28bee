package dev.trainerd.data;

import dev.trainerd.data.prep.Preprocessor;
import dev.trainerd.ml.EpochAugmentation;
import dev.trainerd.ml.Examples;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Training-ready data: what the jobs layer hands to the trainer, and what it stores with the
 * model so predictions are made the same way.
 *
 * @param train the training dataset as dense examples (all its rows; holdout and K-fold splits
 *     are taken from these by index)
 * @param trainAugmentation per-epoch augmented features of the rows of {@code train} (image data
 *     sets with random transforms); {@code train} itself holds their deterministic view
 * @param test the test dataset prepared the same way, if one was given for examples (not one
 *     only fitted on); its labels are {@link Examples.Labels.None} when it is unlabelled, and
 *     class indices follow {@code classNames}
 * @param preprocessor the fitted transform for tabular data; empty for dense data (IDX,
 *     synthetic), which is used as it is
 * @param featureNames the name of every feature ({@code x0}, {@code x1}, ... for dense data)
 * @param labelKind regression or classification
 * @param classNames class names by index for classification, empty otherwise
 * @param labelColumn the label column's name (tabular), for a submission header
 * @param idColumn the id column's name, empty when there is none
 * @param trainIds the training rows' ids, empty when there is no id column
 * @param testIds the test rows' ids, empty when there are no test examples or no id column
 */
public record PreparedData(
    Examples train,
    Optional<EpochAugmentation> trainAugmentation,
    Optional<Examples> test,
    Optional<Preprocessor> preprocessor,
    List<String> featureNames,
    LabelKind labelKind,
    List<String> classNames,
    String labelColumn,
    String idColumn,
    List<String> trainIds,
    List<String> testIds) {

  public PreparedData {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(trainAugmentation, "trainAugmentation");
    Objects.requireNonNull(test, "test");
    Objects.requireNonNull(preprocessor, "preprocessor");
    featureNames = List.copyOf(featureNames);
    Objects.requireNonNull(labelKind, "labelKind");
    classNames = List.copyOf(classNames);
    Objects.requireNonNull(labelColumn, "labelColumn");
    Objects.requireNonNull(idColumn, "idColumn");
    trainIds = List.copyOf(trainIds);
    testIds = List.copyOf(testIds);
  }
}
