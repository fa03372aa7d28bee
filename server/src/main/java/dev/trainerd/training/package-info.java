/**
 * Turns a job into a model: checks a spec against the stored data before the job is accepted,
 * prepares the examples (preprocessing, splits), drives the engine and saves the result. Joins the
 * jobs, data, ml and models packages; none of them depends on it.
 */
package dev.trainerd.training;
