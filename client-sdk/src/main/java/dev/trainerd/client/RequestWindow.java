package dev.trainerd.client;

import io.grpc.stub.ClientCallStreamObserver;

/**
 * How many of a watch's messages the transport may hand over before the client has taken them.
 * gRPC's stubs ask for one message at a time, and every request crosses to the transport's thread
 * and back before the next message is delivered: a house-price cross-validation's 600 events cost
 * its watcher 24-27 ms of CPU that way with a blocking iterator and 16 ms with an asynchronous
 * observer, against 3-5 ms when 64 may be outstanding (BENCHMARKS.md, eleventh round). The window
 * still bounds what waits in the client's memory for a slow reader: the server's sending follows
 * the transport's flow control, as before.
 */
final class RequestWindow {
  /** Messages the transport may deliver ahead of the reader. */
  static final int SIZE = 64;

  /** Set before the call starts; read by whichever thread reads or cancels. */
  private volatile ClientCallStreamObserver<?> call;
  private int takenSinceRequest;

  /** Takes over the call's requests; only from {@code ClientResponseObserver.beforeStart}. */
  void start(ClientCallStreamObserver<?> call) {
    this.call = call;
    call.disableAutoRequestWithInitial(SIZE);
  }

  /**
   * The reader has taken a message: every half window, the transport may deliver that many more.
   * Called by one thread at a time.
   */
  void taken() {
    if (++takenSinceRequest == SIZE / 2) {
      takenSinceRequest = 0;
      call.request(SIZE / 2);
    }
  }

  /** Cancels the call. */
  void cancel(String message, Throwable cause) {
    call.cancel(message, cause);
  }
}
