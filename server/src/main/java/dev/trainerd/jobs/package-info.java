/**
 * Training-job lifecycle: admission, a bounded executor, the state machine (QUEUED, RUNNING,
 * SUCCEEDED, FAILED, CANCELLING, CANCELLED), cancellation, history for watchers, and persistence
 * of every state change. Knows nothing of gRPC or TensorFlow.
 */
package dev.trainerd.jobs;
