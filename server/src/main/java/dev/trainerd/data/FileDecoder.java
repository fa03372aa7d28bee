package dev.trainerd.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongPredicate;

/**
 * A parser's decoding of one file on its own, run on a background thread while the file is still
 * being uploaded, so that the parse at commit starts from the result instead of from the first
 * byte (see {@link DatasetParser#fileDecoder()}). It must read the content exactly as the parse
 * would (the same bytes, gzip looked through the same way), so that a result is what the parse
 * would have made of the file.
 *
 * <p>It is an optimisation only: whatever it throws (invalid content, memory refused, the upload
 * ended) just means there is no early result, and the parse at commit reads the file itself and
 * reports any problem as it always does.
 */
@FunctionalInterface
public interface FileDecoder {

  /**
   * Decodes the whole file.
   *
   * @param content the file's bytes as uploaded; reads wait for bytes still to come and end where
   *     the file ends
   * @param reserveBytes asked before allocating anything large (the decoded arrays); when it
   *     answers false the decoder must give up (throw) without allocating
   */
  DecodedFile decode(InputStream content, LongPredicate reserveBytes) throws IOException;
}
