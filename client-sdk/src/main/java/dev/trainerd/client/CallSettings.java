package dev.trainerd.client;

import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.stub.AbstractStub;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The channel and per-call settings shared by the resource clients: call credentials on every
 * call, the default deadline on calls that finish quickly (unary calls; not uploads, watches or
 * downloads, whose length depends on the data).
 */
final class CallSettings {
  private final Channel channel;
  private final CallCredentials credentials;
  private final Duration defaultDeadline;

  CallSettings(Channel channel, CallCredentials credentials, Duration defaultDeadline) {
    this.channel = channel;
    this.credentials = credentials;
    this.defaultDeadline = defaultDeadline;
  }

  Channel channel() {
    return channel;
  }

  /** A stub for a unary call: credentials and the default deadline, counted from now. */
  <S extends AbstractStub<S>> S unary(S stub) {
    S s = streaming(stub);
    return defaultDeadline == null ? s : s.withDeadlineAfter(defaultDeadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** A stub for a long call: credentials only. */
  <S extends AbstractStub<S>> S streaming(S stub) {
    return credentials == null ? stub : stub.withCallCredentials(credentials);
  }
}
