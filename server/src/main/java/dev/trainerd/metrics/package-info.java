/**
 * Metrics: every trainerd meter in one binder, JVM and process meters, and the Prometheus scrape
 * endpoint on its own port. Names are dotted, lowercase, in base units; tags are bounded (model
 * kind, outcome, method), never ids.
 */
package dev.trainerd.metrics;
