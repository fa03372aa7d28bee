package dev.trainerd.ml.tf;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.Precision;
import dev.trainerd.ml.Threads;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/** Session options for a job's {@link Threads}, {@link Device} and {@link Precision}. */
final class SessionConfigs {

  private SessionConfigs() {}

  /**
   * Intra-op threads for {@code threads}: its own count, or for 0 one per core share of the
   * engine's parallel branches ({@link TfTrainer#DEFAULT_PRODUCT_SPLITS} column blocks or row
   * groups side by side), at least one. TensorFlow's own choice (one per core) makes ops that shard over the
   * intra-op pool, such as the batch's gather and the parameter updates, wait for a thread busy
   * with the other block's product: on 2 cores one intra-op thread took the MLP from 0.41 to 0.35
   * s per epoch and softmax from 0.130 to 0.110 (BENCHMARKS.md).
   */
  static int intraOpThreads(Threads threads) {
    if (threads.intraOp() > 0) {
      return threads.intraOp();
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors() / TfTrainer.DEFAULT_PRODUCT_SPLITS);
  }

  /**
   * The session's ConfigProto: thread counts, soft placement (ops without a GPU kernel fall back
   * to the CPU), and for {@link Device#CPU} no GPU devices at all. With {@link Device#AUTO} and
   * {@link Device#GPU} TensorFlow places ops on the first GPU when the GPU native build is
   * installed and a GPU is visible.
   *
   * <p>Precision: {@link Precision#MIXED_BFLOAT16} turns on Grappler's oneDNN bfloat16 pass, which
   * rewrites the CPU's matrix products (and the ops between them it can) to bfloat16 with casts
   * from and to the float32 variables, so oneDNN runs them on AMX or AVX512-BF16; on CPUs without
   * either TensorFlow skips the pass and the graph stays float32. Only training sessions ask for
   * it: inference sessions and the device probe pass {@link Precision#FLOAT32}.
   *
   * <p>Threads: intra-op threads size TensorFlow's process-wide pool, so only the first session
   * in the process decides it unless the process runs with
   * {@code TF_OVERRIDE_GLOBAL_THREADPOOL=true} (then each session builds its own intra-op pool);
   * inter-op threads apply per session because {@code use_per_session_threads} is set.
   *
   * @throws TrainerdException.FailedPrecondition when {@link Device#GPU} is asked for and no GPU
   *     is visible
   */
  static ConfigProto of(Threads threads, Device device, Precision precision) {
    ConfigProto.Builder config =
        ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(intraOpThreads(threads))
            .setInterOpParallelismThreads(threads.interOp())
            // The session gets its own inter-op pool sized by interOp rather than sharing the
            // process-wide one the first session created (measured: 4 inter-op threads appear for a
            // second session asking for 4 only with this set).
            .setUsePerSessionThreads(true)
            .setAllowSoftPlacement(true)
            // TensorFlow otherwise reserves nearly all of the GPU's memory for the process at its
            // first session: a second process on the same GPU (another replica, a client's own
            // model, the benchmark's bare engine beside the server) then gets none. Process-wide:
            // the first session's GPU options size the allocator, and every session asks alike.
            .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
    if (device == Device.CPU) {
      config.putDeviceCount("GPU", 0);
    } else if (device == Device.GPU && TfDevices.gpuCount(threads) == 0) {
      throw new TrainerdException.FailedPrecondition(
          "GPU_UNAVAILABLE",
          "device GPU was requested but no GPU is visible to TensorFlow; use CPU or AUTO, or run the"
              + " GPU build on a machine with a GPU");
    }
    RewriterConfig.Builder rewrites =
        withoutIdlePasses(RewriterConfig.newBuilder())
            // One round of Grappler's passes instead of two: a job's first run of each step
            // (where Grappler optimises the graph) got shorter, the trained graphs did not change
            // (the same accuracies and log-RMSE to the fourth digit) and their epochs were no
            // slower (EngineBench, 4 alternating pairs: MLP -0.030 to +0.010 s per epoch, dropout
            // -0.040 to +0.022, softmax within 0.003); a warm house-price job 0.50 -> 0.45 s and
            // 0.57 / 0.66 -> 0.47 / 0.56 s. Turning Grappler off altogether doubled its epochs.
            .setMetaOptimizerIterations(RewriterConfig.NumIterationsType.ONE);
    if (precision == Precision.MIXED_BFLOAT16) {
      rewrites.setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON);
    }
    config.setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(rewrites));
    return config.build();
  }

  /**
   * Turns off the Grappler passes that cannot change the engine's graphs, so that the first run
   * of each op (when Grappler optimises it) does not pay for them: the MLIR hook, which TensorFlow
   * 2.18 documents as running no optimisation but which converts every graph to MLIR and back
   * (a fifth of Grappler's time on the house-price job); the layout optimiser, which only rewrites
   * convolutions and other layout-sensitive ops; the loop optimiser (the graphs have no loops);
   * and the implementation selector (they call no functions). The passes that do shape the
   * graphs (constant folding, arithmetic, remapping into fused kernels, dependency and common
   * subgraph elimination, pruning) stay on.
   */
  static RewriterConfig.Builder withoutIdlePasses(RewriterConfig.Builder rewrites) {
    return rewrites
        .setDisableTfgOptimizer(true)
        .setLayoutOptimizer(RewriterConfig.Toggle.OFF)
        .setLoopOptimization(RewriterConfig.Toggle.OFF)
        .setImplementationSelector(RewriterConfig.Toggle.OFF);
  }
}
