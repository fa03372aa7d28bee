/**
 * Preprocessing of tabular datasets, the house-price pipeline of the book generalised: numeric
 * columns standardised with statistics fitted on training rows, missing numbers set to 0, and
 * categorical columns one-hot encoded with an extra indicator for missing values. The fitted
 * {@link dev.trainerd.data.prep.Preprocessor} is a plain value that is stored with a model and
 * applied unchanged at prediction time.
 */
package dev.trainerd.data.prep;
