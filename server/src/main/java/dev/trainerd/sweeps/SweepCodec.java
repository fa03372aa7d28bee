package dev.trainerd.sweeps;

/** Turns a sweep record into bytes and back, for a {@link SweepRepository}. */
public interface SweepCodec {
  /** Encodes the whole record. */
  byte[] encode(SweepRecord sweep);

  /** Decodes bytes written by {@link #encode}. */
  SweepRecord decode(byte[] bytes);
}
