package dev.trainerd.ml;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * What one epoch produced. Train loss and accuracy are averaged over the epoch's minibatches as
 * d2l does (each minibatch measured before its update, weighted by its size); the train RMSE and
 * log-RMSE are measured after the epoch in forward mode (regression only, else NaN), as the book's
 * house-price loop does. Not applicable values are {@code NaN}.
 *
 * @param epoch 1-based epoch number
 * @param fold 0-based fold during cross-validation, empty otherwise
 * @param trainLoss mean data loss over the epoch (without the weight-decay penalty)
 * @param trainAccuracy fraction correct over the epoch (class labels), else NaN
 * @param trainRmse RMSE over the training set after the epoch (regression), else NaN; like every
 *     metric measured after an epoch it reads the deterministic features, not the epoch's
 *     augmented draw
 * @param trainLogRmse log-RMSE over the training set after the epoch (regression), else NaN
 * @param evaluation metrics on the evaluation/validation set after the epoch, when one was given
 * @param weightL2Norm {@code sqrt(sum w^2)} over all weights (biases excluded) after the epoch
 * @param durationSeconds wall time of the epoch's training steps (excluding evaluation; including
 *     any wait for, and the loading of, the epoch's augmented training features)
 * @param examplesPerSecond training examples processed per second in the epoch
 */
public record EpochMetrics(
    int epoch,
    OptionalInt fold,
    double trainLoss,
    double trainAccuracy,
    double trainRmse,
    double trainLogRmse,
    Optional<EvaluationMetrics> evaluation,
    double weightL2Norm,
    double durationSeconds,
    double examplesPerSecond) {}
