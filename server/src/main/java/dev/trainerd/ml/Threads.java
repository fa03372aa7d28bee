package dev.trainerd.ml;

/**
 * Thread counts for a job's session; 0 lets the backend choose (the TensorFlow backend: intra-op
 * threads per core share of its parallel product blocks, inter-op threads one per core).
 *
 * <p>TensorFlow keeps one intra-op thread pool per process: the first session created in the JVM
 * fixes its size and later sessions' {@code intraOp} settings are ignored, unless the process was
 * started with the environment variable {@code TF_OVERRIDE_GLOBAL_THREADPOOL=true}. The inter-op
 * setting is honoured per session.
 *
 * @param intraOp threads inside one op (matrix products), >= 0
 * @param interOp ops run concurrently, >= 0
 */
public record Threads(int intraOp, int interOp) {
  /** Let the backend choose both. */
  public static Threads defaults() {
    return new Threads(0, 0);
  }
}
