/**
 * Trained models as stored resources: their records, provenance and the plain-Java service behind
 * the model API (get, list, delete, predict, evaluate, export) with a cache of loaded predictors.
 */
package dev.trainerd.models;
