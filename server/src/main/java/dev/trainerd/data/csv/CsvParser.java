package dev.trainerd.data.csv;

import dev.trainerd.data.ColumnType;
import dev.trainerd.data.DatasetFormat;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.DatasetParser;
import dev.trainerd.data.FeatureColumn;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.NamedFile;
import dev.trainerd.data.Table;
import dev.trainerd.data.TaskKind;
import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads one CSV file into a {@link Table}.
 *
 * <p>The file is read twice from its source: the first pass checks the shape, infers each column's
 * type and finds the first offending cell for precise errors; the second fills typed arrays of
 * exactly the right length. Memory is therefore the decoded table only: 8 bytes per numeric cell,
 * one reference per categorical cell (equal values share one String), plus the ids.
 *
 * <p>Rules: UTF-8 text (a leading byte-order mark is ignored); the first record is the header;
 * blank lines are skipped; cells are trimmed; a cell equal to a missing token is missing; a number
 * is an optionally signed decimal with optional exponent ({@code 12}, {@code -0.5}, {@code 1e-3}),
 * finite. A feature column whose non-missing cells are all numbers is numeric (so is an entirely
 * missing one), otherwise categorical, unless {@code type_overrides} says otherwise.
 */
public final class CsvParser implements DatasetParser {

  /** Where the characters of a CSV file come from; opened once per pass. */
  @FunctionalInterface
  public interface TextSource {
    Reader open() throws IOException;
  }

  private static final int MAX_HEADER_CHARS = 1 << 20;
  private static final int MAX_COLUMNS_IN_MESSAGE = 12;
  private static final Pattern NUMBER =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final char[] CANDIDATE_SEPARATORS = {',', ';', '\t'};

  @Override
  public DatasetFormat format() {
    return DatasetFormat.CSV;
  }

  @Override
  public LoadedDataset parse(List<NamedFile> files, DatasetOptions options) {
    if (files.size() != 1) {
      throw TrainerdException.InvalidArgument.of(
          "files", "a CSV dataset is exactly one file, got " + files.size());
    }
    NamedFile file = files.get(0);
    return new LoadedDataset.Tabular(parseTable(file.name(), () -> utf8Reader(file.path()), options));
  }

  /** Parses CSV text held in memory; for small inputs such as tests and prediction requests. */
  public Table parseString(String fileName, String content, DatasetOptions options) {
    return parseTable(fileName, () -> new StringReader(content), options);
  }

  /**
   * Parses one CSV file.
   *
   * @param fileName the name used in error messages and violation field paths
   * @param source opened twice; must yield the same characters both times
   * @param options validated here
   */
  public Table parseTable(String fileName, TextSource source, DatasetOptions options) {
    options.validated();
    String field = "files[" + fileName + "]";
    try {
      char separator =
          options.separator().isEmpty()
              ? detectSeparator(source)
              : options.separator().charAt(0);
      CSVFormat format =
          CSVFormat.DEFAULT.builder().setDelimiter(separator).setIgnoreEmptyLines(true).get();
      Set<String> missing = new HashSet<>(options.missingTokens());
      Scan scan = firstPass(fileName, field, source, format, missing, options);
      return secondPass(fileName, field, source, format, missing, options, scan);
    } catch (CharacterCodingException e) {
      throw invalid(field, "CSV_NOT_UTF8", fileName + " is not UTF-8 text");
    } catch (IOException e) {
      throw new TrainerdException.Internal(
          "DATASET_READ_FAILED", "could not read " + fileName, e);
    }
  }

  /** A reader that reports bytes that are not UTF-8 instead of replacing them. */
  public static Reader utf8Reader(Path path) throws IOException {
    return new InputStreamReader(
        Files.newInputStream(path),
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT));
  }

  /** Whether {@code text} (already trimmed) is a number in the sense of this format. */
  public static boolean isNumber(String text) {
    return NUMBER.matcher(text).matches() && Double.isFinite(Double.parseDouble(text));
  }

  private static char detectSeparator(TextSource source) throws IOException {
    int[] counts = new int[CANDIDATE_SEPARATORS.length];
    try (Reader reader = source.open()) {
      boolean quoted = false;
      for (int i = 0, c; i < MAX_HEADER_CHARS && (c = reader.read()) != -1; i++) {
        if (c == '"') {
          quoted = !quoted;
        } else if (!quoted && (c == '\n' || c == '\r')) {
          break;
        } else if (!quoted) {
          for (int k = 0; k < CANDIDATE_SEPARATORS.length; k++) {
            if (c == CANDIDATE_SEPARATORS[k]) {
              counts[k]++;
            }
          }
        }
      }
    }
    int best = 0;
    for (int k = 1; k < counts.length; k++) {
      if (counts[k] > counts[best]) {
        best = k;
      }
    }
    return CANDIDATE_SEPARATORS[best];
  }

  /** What the first pass learnt about the file. */
  private record Scan(Header header, int rows, ColumnType[] types, boolean labelNumeric) {}

  /** The header and the role of each column. */
  private record Header(String[] names, int labelIndex, int idIndex, int[] featureIndices) {}

  /** Per-column facts gathered in the first pass. */
  private static final class ColumnScan {
    boolean allNumeric = true;
    int firstNonNumericRow;
    String firstNonNumericValue;
    int firstMissingRow;

    void observe(String cell, boolean isMissing, int row) {
      if (isMissing) {
        if (firstMissingRow == 0) {
          firstMissingRow = row;
        }
      } else if (allNumeric && !isNumber(cell)) {
        allNumeric = false;
        firstNonNumericRow = row;
        firstNonNumericValue = cell;
      }
    }
  }

  private Scan firstPass(
      String fileName,
      String field,
      TextSource source,
      CSVFormat format,
      Set<String> missing,
      DatasetOptions options)
      throws IOException {
    Header header;
    ColumnScan[] scans;
    int row = 0;
    try (Reader reader = source.open()) {
      Iterator<CSVRecord> records = format.parse(reader).iterator();
      if (!hasNext(records, fileName, field, 0)) {
        throw invalid(
            field,
            "CSV_EMPTY",
            fileName + " is empty; a CSV dataset needs a header row and at least one data row");
      }
      header = header(fileName, field, records.next(), options);
      scans = new ColumnScan[header.names().length];
      for (int j = 0; j < scans.length; j++) {
        scans[j] = new ColumnScan();
      }
      while (hasNext(records, fileName, field, row + 1)) {
        CSVRecord record = records.next();
        row++;
        checkWidth(fileName, field, record, header, row);
        for (int j = 0; j < scans.length; j++) {
          String cell = record.get(j).strip();
          scans[j].observe(cell, missing.contains(cell), row);
        }
      }
    }
    if (row == 0) {
      throw invalid(field, "CSV_NO_ROWS", fileName + " has a header but no data rows");
    }
    ColumnType[] types = new ColumnType[header.names().length];
    for (int j : header.featureIndices()) {
      String name = header.names()[j];
      ColumnType override = options.typeOverrides().get(name);
      ColumnScan s = scans[j];
      if (override == ColumnType.NUMERIC && !s.allNumeric) {
        throw invalid(
            field,
            "CSV_NOT_A_NUMBER",
            at(fileName, s.firstNonNumericRow, name)
                + "'"
                + s.firstNonNumericValue
                + "' is not a number, but type_overrides makes the column NUMERIC");
      }
      types[j] = override != null ? override : s.allNumeric ? ColumnType.NUMERIC : ColumnType.CATEGORICAL;
    }
    boolean labelNumeric = false;
    if (header.labelIndex() >= 0) {
      ColumnScan s = scans[header.labelIndex()];
      String name = header.names()[header.labelIndex()];
      if (s.firstMissingRow > 0) {
        throw invalid(
            field,
            "CSV_LABEL_MISSING",
            at(fileName, s.firstMissingRow, name) + "the label is missing; every row needs one");
      }
      if (options.taskKind() == TaskKind.REGRESSION && !s.allNumeric) {
        throw invalid(
            field,
            "CSV_NOT_A_NUMBER",
            at(fileName, s.firstNonNumericRow, name)
                + "'"
                + s.firstNonNumericValue
                + "' is not a number, and regression targets must be numbers");
      }
      labelNumeric = s.allNumeric;
    }
    return new Scan(header, row, types, labelNumeric);
  }

  private Table secondPass(
      String fileName,
      String field,
      TextSource source,
      CSVFormat format,
      Set<String> missing,
      DatasetOptions options,
      Scan scan)
      throws IOException {
    Header header = scan.header();
    int rows = scan.rows();
    int[] featureIndices = header.featureIndices();
    double[][] numbers = new double[header.names().length][];
    String[][] texts = new String[header.names().length][];
    List<Map<String, String>> interned = new ArrayList<>();
    for (int j = 0; j < header.names().length; j++) {
      interned.add(null);
    }
    for (int j : featureIndices) {
      if (scan.types()[j] == ColumnType.NUMERIC) {
        numbers[j] = new double[rows];
      } else {
        texts[j] = new String[rows];
        interned.set(j, new HashMap<>());
      }
    }
    boolean regression =
        header.labelIndex() >= 0
            && (options.taskKind() == TaskKind.REGRESSION
                || (options.taskKind() == TaskKind.AUTO && scan.labelNumeric()));
    float[] targets = regression ? new float[rows] : null;
    String[] classLabels = header.labelIndex() >= 0 && !regression ? new String[rows] : null;
    Map<String, String> classIntern = new HashMap<>();
    List<String> ids = header.idIndex() >= 0 ? new ArrayList<>(rows) : List.of();

    int row = 0;
    try (Reader reader = source.open()) {
      Iterator<CSVRecord> records = format.parse(reader).iterator();
      records.next();
      while (hasNext(records, fileName, field, row + 1)) {
        CSVRecord record = records.next();
        if (row == rows) {
          throw new TrainerdException.Internal(
              "DATASET_CHANGED", fileName + " changed while it was being read", null);
        }
        checkWidth(fileName, field, record, header, row + 1);
        for (int j : featureIndices) {
          String cell = record.get(j).strip();
          boolean isMissing = missing.contains(cell);
          if (numbers[j] != null) {
            numbers[j][row] = isMissing ? Double.NaN : Double.parseDouble(cell);
          } else {
            texts[j][row] = isMissing ? null : interned.get(j).computeIfAbsent(cell, c -> c);
          }
        }
        if (targets != null) {
          String cell = record.get(header.labelIndex()).strip();
          targets[row] = Float.parseFloat(cell);
          if (Float.isInfinite(targets[row])) {
            throw invalid(
                field,
                "CSV_NOT_A_NUMBER",
                at(fileName, row + 1, header.names()[header.labelIndex()])
                    + "'" + cell + "' is too large for a regression target (float)");
          }
        } else if (classLabels != null) {
          String label = record.get(header.labelIndex()).strip();
          classLabels[row] = classIntern.computeIfAbsent(label, c -> c);
        }
        if (header.idIndex() >= 0) {
          ids.add(record.get(header.idIndex()).strip());
        }
        row++;
      }
    }
    if (row != rows) {
      throw new TrainerdException.Internal(
          "DATASET_CHANGED", fileName + " changed while it was being read", null);
    }

    List<FeatureColumn> features = new ArrayList<>(featureIndices.length);
    for (int j : featureIndices) {
      String name = header.names()[j];
      features.add(
          numbers[j] != null
              ? new FeatureColumn.Numeric(name, numbers[j])
              : new FeatureColumn.Categorical(name, texts[j]));
    }
    Examples.Labels labels = new Examples.Labels.None();
    List<String> classNames = List.of();
    if (targets != null) {
      labels = new Examples.Labels.Regression(targets);
    } else if (classLabels != null) {
      classNames = sortedClassNames(classIntern.keySet(), scan.labelNumeric());
      String labelName = header.names()[header.labelIndex()];
      if (classNames.size() < 2) {
        throw invalid(
            field,
            "CSV_TOO_FEW_CLASSES",
            fileName
                + " column '"
                + labelName
                + "' has "
                + classNames.size()
                + " distinct label; classification needs at least 2");
      }
      Map<String, Integer> index = new HashMap<>();
      for (int k = 0; k < classNames.size(); k++) {
        index.put(classNames.get(k), k);
      }
      int[] classes = new int[rows];
      for (int i = 0; i < rows; i++) {
        classes[i] = index.get(classLabels[i]);
      }
      labels = new Examples.Labels.Classes(classes, classNames.size());
    }
    return new Table(
        rows,
        features,
        labels,
        classNames,
        options.labelColumn(),
        options.idColumn(),
        ids,
        options.missingTokens());
  }

  /** Class names sorted numerically when they are all numbers, otherwise as strings. */
  static List<String> sortedClassNames(Set<String> names, boolean numeric) {
    Comparator<String> order =
        numeric
            ? Comparator.<String>comparingDouble(Double::parseDouble)
                .thenComparing(Comparator.naturalOrder())
            : Comparator.naturalOrder();
    TreeSet<String> sorted = new TreeSet<>(order);
    sorted.addAll(names);
    return List.copyOf(sorted);
  }

  private static Header header(
      String fileName, String field, CSVRecord record, DatasetOptions options) {
    String[] names = new String[record.size()];
    Map<String, Integer> positions = new HashMap<>();
    for (int j = 0; j < names.length; j++) {
      String name = record.get(j).strip();
      if (j == 0 && name.startsWith("\uFEFF")) {
        name = name.substring(1).strip();
      }
      if (name.isEmpty()) {
        throw invalid(
            field, "CSV_BAD_HEADER", fileName + " header: column " + (j + 1) + " has no name");
      }
      Integer previous = positions.putIfAbsent(name, j);
      if (previous != null) {
        throw invalid(
            field,
            "CSV_BAD_HEADER",
            fileName
                + " header: column '"
                + name
                + "' appears twice (columns "
                + (previous + 1)
                + " and "
                + (j + 1)
                + ")");
      }
      names[j] = name;
    }
    List<FieldViolation> violations = new ArrayList<>();
    int labelIndex = -1;
    int idIndex = -1;
    if (options.hasLabel()) {
      labelIndex = positions.getOrDefault(options.labelColumn(), -1);
      if (labelIndex < 0) {
        violations.add(
            new FieldViolation("label_column", unknownColumn(fileName, options.labelColumn(), names)));
      }
    }
    if (options.hasId()) {
      idIndex = positions.getOrDefault(options.idColumn(), -1);
      if (idIndex < 0) {
        violations.add(
            new FieldViolation("id_column", unknownColumn(fileName, options.idColumn(), names)));
      }
    }
    for (String column : options.typeOverrides().keySet()) {
      if (!positions.containsKey(column)) {
        violations.add(
            new FieldViolation(
                "type_overrides[" + column + "]", unknownColumn(fileName, column, names)));
      }
    }
    if (!violations.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(violations);
    }
    int[] featureIndices = new int[names.length - (labelIndex >= 0 ? 1 : 0) - (idIndex >= 0 ? 1 : 0)];
    if (featureIndices.length == 0) {
      throw invalid(
          field,
          "CSV_NO_FEATURES",
          fileName + " has no feature columns besides the label and id columns");
    }
    for (int j = 0, k = 0; j < names.length; j++) {
      if (j != labelIndex && j != idIndex) {
        featureIndices[k++] = j;
      }
    }
    return new Header(names, labelIndex, idIndex, featureIndices);
  }

  private static String unknownColumn(String fileName, String column, String[] names) {
    String listed =
        Arrays.stream(names).limit(MAX_COLUMNS_IN_MESSAGE).collect(Collectors.joining(", "));
    String more = names.length > MAX_COLUMNS_IN_MESSAGE ? ", ..." : "";
    return "no column '" + column + "' in the header of " + fileName + " (" + listed + more + ")";
  }

  private static void checkWidth(
      String fileName, String field, CSVRecord record, Header header, int row) {
    if (record.size() != header.names().length) {
      throw invalid(
          field,
          "CSV_RAGGED_ROW",
          fileName
              + " data row "
              + row
              + " has "
              + record.size()
              + " fields but the header has "
              + header.names().length);
    }
  }

  /**
   * Advances the parser, turning its unchecked malformed-input failures into precise errors.
   *
   * @param row the data row about to be read, 0 for the header
   */
  private static boolean hasNext(
      Iterator<CSVRecord> records, String fileName, String field, int row)
      throws IOException {
    try {
      return records.hasNext();
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof CharacterCodingException coding) {
        throw coding;
      }
      String where = row == 0 ? " header" : " data row " + row;
      throw invalid(
          field,
          "CSV_MALFORMED",
          fileName + where + " is not valid CSV: " + e.getCause().getMessage());
    } catch (IllegalStateException e) {
      String where = row == 0 ? " header" : " data row " + row;
      throw invalid(field, "CSV_MALFORMED", fileName + where + " is not valid CSV: " + e.getMessage());
    }
  }

  private static String at(String fileName, int row, String column) {
    return fileName + " data row " + row + ", column '" + column + "': ";
  }

  private static TrainerdException.InvalidArgument invalid(
      String field, String reason, String message) {
    return new TrainerdException.InvalidArgument(
        reason, message, List.of(new FieldViolation(field, message)));
  }
}
