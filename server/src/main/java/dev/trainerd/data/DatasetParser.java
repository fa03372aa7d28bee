package dev.trainerd.data;

import java.util.List;
import java.util.Optional;

/**
 * Reads the files of one dataset format into a {@link LoadedDataset}. Implementations validate
 * everything they read and report problems as {@link dev.trainerd.errors.TrainerdException}
 * subtypes with the file, row and column where they apply; the store calls a parser before a
 * dataset becomes visible and again whenever the dataset is loaded for training.
 */
public interface DatasetParser {

  /** The format this parser reads; never {@link DatasetFormat#AUTO}. */
  DatasetFormat format();

  /**
   * Parses and validates the files.
   *
   * @param files the dataset's files, in the order they were uploaded
   * @param options the validated upload options
   * @throws dev.trainerd.errors.TrainerdException.InvalidArgument when the content is not valid
   */
  LoadedDataset parse(List<NamedFile> files, DatasetOptions options);

  /**
   * A decoder of single files that the store runs while each file of an upload arrives, whose
   * results {@link #parse} then finds in {@link NamedFile#earlyDecoded()}; empty (the default) when
   * the format gains nothing from it.
   */
  default Optional<FileDecoder> fileDecoder() {
    return Optional.empty();
  }
}
