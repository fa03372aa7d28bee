package dev.trainerd.ml.tf;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.Threads;
import org.tensorflow.proto.ConfigProto;

/** Session options for a job's {@link Threads} and {@link Device}. */
final class SessionConfigs {

  private SessionConfigs() {}

  /**
   * The session's ConfigProto: thread counts, soft placement (ops without a GPU kernel fall back
   * to the CPU), and for {@link Device#CPU} no GPU devices at all. With {@link Device#AUTO} and
   * {@link Device#GPU} TensorFlow places ops on the first GPU when the GPU native build is
   * installed and a GPU is visible.
   *
   * <p>Threads: intra-op threads size TensorFlow's process-wide pool, so only the first session
   * in the process decides it unless the process runs with
   * {@code TF_OVERRIDE_GLOBAL_THREADPOOL=true} (then each session builds its own intra-op pool);
   * inter-op threads apply per session because {@code use_per_session_threads} is set.
   *
   * @throws TrainerdException.FailedPrecondition when {@link Device#GPU} is asked for and no GPU
   *     is visible
   */
  static ConfigProto of(Threads threads, Device device) {
    ConfigProto.Builder config =
        ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(threads.intraOp())
            .setInterOpParallelismThreads(threads.interOp())
            // The session gets its own inter-op pool sized by interOp rather than sharing the
            // process-wide one the first session created (measured: 4 inter-op threads appear for a
            // second session asking for 4 only with this set).
            .setUsePerSessionThreads(true)
            .setAllowSoftPlacement(true);
    if (device == Device.CPU) {
      config.putDeviceCount("GPU", 0);
    } else if (device == Device.GPU && TfDevices.gpuCount(threads) == 0) {
      throw new TrainerdException.FailedPrecondition(
          "GPU_UNAVAILABLE",
          "device GPU was requested but no GPU is visible to TensorFlow; use CPU or AUTO, or run the"
              + " GPU build on a machine with a GPU");
    }
    return config.build();
  }
}
