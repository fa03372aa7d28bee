package dev.trainerd.ml;

/**
 * Metrics of a model over a whole set of examples, computed in forward (inference) mode: no
 * dropout, no weight decay. Not applicable values are {@code NaN}.
 *
 * @param count examples evaluated
 * @param loss mean per-example loss
 * @param accuracy fraction classified correctly (class labels only; argmax of the outputs, or
 *     output > 0 for single-output binary losses), else NaN
 * @param rmse root mean squared error of the outputs (regression targets only), else NaN
 * @param logRmse RMSE of the logarithms, predictions clipped below at 1 as the book does
 *     (regression targets only; NaN when a target is <= 0)
 */
public record EvaluationMetrics(long count, double loss, double accuracy, double rmse, double logRmse) {}
