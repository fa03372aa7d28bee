package dev.trainerd.jobs;

import dev.trainerd.ml.EvaluationMetrics;

/**
 * One fold's outcome in K-fold cross-validation: its metrics after its last epoch.
 *
 * @param fold fold number from 1
 * @param train training metrics (averaged over the last epoch, as d2l reports them)
 * @param validation metrics on the held-out fold
 */
public record FoldResult(int fold, EvaluationMetrics train, EvaluationMetrics validation) {}
