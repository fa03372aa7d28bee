package dev.trainerd.models;

/**
 * What a model says about one example.
 *
 * @param outputs class probabilities (classification) or the single predicted value
 * @param predictedClass arg-max class, -1 for regression
 * @param predictedLabel the arg-max class's name, empty for regression
 * @param value the predicted value (regression), NaN for classification
 */
public record Prediction(float[] outputs, int predictedClass, String predictedLabel, double value) {}
