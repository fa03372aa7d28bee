package dev.trainerd.ml.tf;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;

import dev.trainerd.ml.Threads;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;

/**
 * Which devices TensorFlow sees in this process. The Java API has no device listing, so this asks
 * the C API through a throw-away session. That session is configured like a job's, because the
 * first session in a process fixes TensorFlow's global thread pool.
 */
final class TfDevices {
  private TfDevices() {}

  /** "TensorFlow x.y.z" of the loaded native library. */
  static String backendVersion() {
    return "TensorFlow " + TensorFlow.version();
  }

  /** A file only TensorFlow Java's {@code linux-x86_64-gpu} native jar (Maven profile gpu) holds. */
  static final String GPU_NATIVE_LIBRARY = "org/tensorflow/internal/c_api/linux-x86_64-gpu/libjnitensorflow.so";

  /** Whether {@code loader} sees TensorFlow's GPU native build. */
  static boolean gpuBuild(ClassLoader loader) {
    return loader.getResource(GPU_NATIVE_LIBRARY) != null;
  }

  /** The probe's answer; a process-wide fact, so it is kept process-wide. Null until probed. */
  private static volatile Integer gpus;

  /**
   * Number of GPUs TensorFlow can place ops on, probed once per process (devices do not come and
   * go under a running JVM, and each probe costs a session).
   *
   * @param threads the thread settings of the caller's sessions: when this is the process's first
   *     session, it sizes TensorFlow's process-wide intra-op pool, so it must be the server's
   *     setting rather than TensorFlow's default
   */
  static int gpuCount(Threads threads) {
    Integer known = gpus;
    if (known == null) {
      synchronized (TfDevices.class) {
        if (gpus == null) {
          gpus = probeGpus(threads);
        }
        known = gpus;
      }
    }
    return known;
  }

  private static int probeGpus(Threads threads) {
    TF_Status status = TF_NewStatus();
    TF_Graph graph = TF_NewGraph();
    TF_SessionOptions options = TF_NewSessionOptions();
    try {
      byte[] config = SessionConfigs.of(threads, dev.trainerd.ml.Device.AUTO, dev.trainerd.ml.Precision.FLOAT32).toByteArray();
      try (BytePointer bytes = new BytePointer(config)) {
        TF_SetConfig(options, bytes, config.length, status);
      }
      TF_Session session = TF_NewSession(graph, options, status);
      if (TF_GetCode(status) != 0 || session == null) {
        return 0;
      }
      try {
        TF_DeviceList devices = TF_SessionListDevices(session, status);
        int gpus = 0;
        try {
          for (int i = 0; i < TF_DeviceListCount(devices); i++) {
            BytePointer type = TF_DeviceListType(devices, i, status);
            if (type != null && "GPU".equals(type.getString())) {
              gpus++;
            }
          }
        } finally {
          TF_DeleteDeviceList(devices);
        }
        return gpus;
      } finally {
        TF_CloseSession(session, status);
        TF_DeleteSession(session, status);
      }
    } finally {
      TF_DeleteSessionOptions(options);
      TF_DeleteGraph(graph);
      TF_DeleteStatus(status);
    }
  }
}
