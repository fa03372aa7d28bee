package dev.trainerd.cli;

/** How commands print resources. */
public enum OutputFormat {
  /** Aligned columns for lists, {@code key: value} lines for one resource. */
  table,
  /** Protobuf's canonical JSON mapping, one document. */
  json
}
