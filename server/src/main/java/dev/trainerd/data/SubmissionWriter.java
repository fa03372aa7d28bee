package dev.trainerd.data;

import dev.trainerd.errors.TrainerdException;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes predictions as a Kaggle-style submission CSV: a header {@code <id column>,<label
 * column>} (for house prices {@code Id,SalePrice}), then one row per prediction. RFC 4180 quoting
 * where a value needs it, LF line ends. Regression values are written in plain decimal notation
 * with the shortest digits that read back as the same float ({@code 208500.5}, never {@code
 * 2.085005E5}); class predictions are written as class names.
 */
public final class SubmissionWriter {

  /** Header used for the id column when the dataset has none; rows are then numbered from 1. */
  public static final String DEFAULT_ID_HEADER = "Id";

  /** Header used for the prediction column when the training data named no label column. */
  public static final String DEFAULT_LABEL_HEADER = "prediction";

  private static final CSVFormat FORMAT =
      CSVFormat.RFC4180.builder().setRecordSeparator('\n').get();

  /**
   * Writes regression predictions.
   *
   * @param ids one id per prediction, or empty to number the rows from 1
   */
  public void writeValues(
      Writer out, String idColumn, String labelColumn, List<String> ids, float[] predictions)
      throws IOException {
    requireIds(ids, predictions.length);
    try (CSVPrinter printer = printer(out, idColumn, labelColumn)) {
      for (int i = 0; i < predictions.length; i++) {
        printer.printRecord(id(ids, i), plain(predictions[i]));
      }
    }
  }

  /**
   * Writes class predictions by name.
   *
   * @param classes predicted class indices into {@code classNames}
   */
  public void writeClasses(
      Writer out,
      String idColumn,
      String labelColumn,
      List<String> ids,
      int[] classes,
      List<String> classNames)
      throws IOException {
    requireIds(ids, classes.length);
    try (CSVPrinter printer = printer(out, idColumn, labelColumn)) {
      for (int i = 0; i < classes.length; i++) {
        printer.printRecord(id(ids, i), classNames.get(classes[i]));
      }
    }
  }

  /** The plain decimal text of a float: shortest round-trip digits, no exponent. */
  public static String plain(float value) {
    if (!Float.isFinite(value)) {
      return Float.toString(value);
    }
    String text = new BigDecimal(Float.toString(value)).stripTrailingZeros().toPlainString();
    return text.equals("-0") ? "0" : text;
  }

  private static CSVPrinter printer(Writer out, String idColumn, String labelColumn)
      throws IOException {
    CSVPrinter printer = new CSVPrinter(new NonClosingWriter(out), FORMAT);
    printer.printRecord(
        idColumn.isEmpty() ? DEFAULT_ID_HEADER : idColumn,
        labelColumn.isEmpty() ? DEFAULT_LABEL_HEADER : labelColumn);
    return printer;
  }

  private static String id(List<String> ids, int i) {
    return ids.isEmpty() ? Integer.toString(i + 1) : ids.get(i);
  }

  private static void requireIds(List<String> ids, int predictions) {
    if (!ids.isEmpty() && ids.size() != predictions) {
      throw new TrainerdException.Internal(
          "SUBMISSION_MISMATCH",
          ids.size() + " ids for " + predictions + " predictions",
          null);
    }
  }

  /** Lets the printer flush without closing the caller's writer. */
  private static final class NonClosingWriter extends java.io.FilterWriter {
    NonClosingWriter(Writer out) {
      super(out);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
