package dev.trainerd.ml.tf;

import dev.trainerd.ml.Device;
import dev.trainerd.ml.Threads;
import org.tensorflow.proto.ConfigProto;

/** Session options for a job's {@link Threads} and {@link Device}. */
final class SessionConfigs {

  private SessionConfigs() {}

  /**
   * The session's ConfigProto. Intra-op threads size TensorFlow's process-wide pool: only the
   * first session in the process decides it, unless the process runs with
   * {@code TF_OVERRIDE_GLOBAL_THREADPOOL=true}. Inter-op threads apply per session.
   */
  static ConfigProto of(Threads threads, Device device) {
    ConfigProto.Builder config =
        ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(threads.intraOp())
            .setInterOpParallelismThreads(threads.interOp())
            .setAllowSoftPlacement(true);
    if (device == Device.CPU) {
      config.putDeviceCount("GPU", 0);
    }
    return config.build();
  }
}
