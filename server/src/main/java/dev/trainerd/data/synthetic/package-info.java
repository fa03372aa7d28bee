/**
 * The chapter's synthetic data sets, generated from typed, validated specs with a seed: linear
 * regression data, the polynomial-fitting data and the high-dimensional weight-decay data.
 */
package dev.trainerd.data.synthetic;
