/**
 * The CSV format: separator detection, RFC 4180 parsing through Apache Commons CSV, missing-value
 * tokens, column type inference with overrides, label and id columns. Rows in error messages are
 * 1-based data rows (the header row is not counted).
 */
package dev.trainerd.data.csv;
