package dev.trainerd.models;

/** Turns a model into bytes and back, for a {@link ModelRepository}. */
public interface ModelCodec {
  /** Encodes everything about a model, parameters and preprocessing included. */
  byte[] encode(ModelRecord model);

  /** Decodes bytes written by {@link #encode}. */
  ModelRecord decode(byte[] bytes);
}
