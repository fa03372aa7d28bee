package dev.trainerd.data;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One file of a dataset as a parser sees it: its name within the dataset, where its bytes are, and
 * what the parser's {@link FileDecoder} made of it while it was uploaded, if anything.
 *
 * @param name the file's name within the dataset (for example {@code train-images-idx3-ubyte.gz})
 * @param path where the bytes can be read; parsers only read it
 * @param earlyDecode the decoding that ran during the upload; {@link EarlyDecode#NONE} when none did
 */
public record NamedFile(String name, Path path, EarlyDecode earlyDecode) {

  /** A {@link FileDecoder} run on a file while it was uploaded. */
  @FunctionalInterface
  public interface EarlyDecode {
    /** No early decoding: the parser reads the file. */
    EarlyDecode NONE = Optional::empty;

    /** Waits for the decoding to end; its result when it succeeded, else empty. */
    Optional<DecodedFile> result();
  }

  public NamedFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(earlyDecode, "earlyDecode");
  }

  /** A file only on disk. */
  public NamedFile(String name, Path path) {
    this(name, path, EarlyDecode.NONE);
  }

  /**
   * What the parser's {@link FileDecoder} made of this file during the upload, waiting for it to
   * finish; empty when it did not run or did not succeed (the parser then reads the file).
   */
  public Optional<DecodedFile> earlyDecoded() {
    return earlyDecode.result();
  }
}
