package dev.trainerd.cli;

import dev.trainerd.client.UploadProgressListener;
import dev.trainerd.v1.EpochMetrics;
import dev.trainerd.v1.TrainingJobEvent;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of uploads and training: a bar redrawn in place on a terminal, plain lines (one per
 * file or epoch) otherwise, so that logs and pipes stay readable.
 */
final class Progress {
  private static final int BAR = 30;

  private final PrintWriter out;
  private final boolean terminal;
  private int lastWidth;

  Progress(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** Upload progress: a bar with bytes on a terminal, a line per finished file otherwise. */
  final class Upload implements UploadProgressListener {
    private String currentFile;
    private long fileStart;
    private long sent;

    @Override
    public void onProgress(String fileName, long bytesSent, long totalBytes) {
      if (currentFile != null && !currentFile.equals(fileName)) {
        finishFile();
        fileStart = sent;
      }
      currentFile = fileName;
      sent = bytesSent;
      if (terminal) {
        redraw(bar(bytesSent, totalBytes) + " " + megabytes(bytesSent) + "/" + megabytes(totalBytes) + " MB  " + fileName);
      }
    }

    /** Reports the last file once the upload has finished. */
    void finished() {
      if (currentFile != null) {
        finishFile();
        currentFile = null;
      }
    }

    private void finishFile() {
      if (terminal) {
        clear();
      }
      out.println("uploaded " + currentFile + " (" + (sent - fileStart) + " bytes)");
      out.flush();
    }
  }

  Upload upload() {
    return new Upload();
  }

  /** One watch event: epochs as a bar or a line, state changes as lines. */
  void event(TrainingJobEvent event, int epochsTotal, int[] epochsSeen) {
    if (event.hasEpoch()) {
      epochsSeen[0]++;
      EpochMetrics e = event.getEpoch();
      String line = Printer.epochSummary(e);
      if (terminal) {
        redraw(bar(epochsSeen[0], epochsTotal) + " " + epochsSeen[0] + "/" + epochsTotal + "  " + line);
      } else {
        out.println(line);
        out.flush();
      }
    } else if (event.hasStateChange()) {
      if (terminal) {
        clear();
      }
      out.println("state " + event.getStateChange().getState().name());
      out.flush();
    } else if (event.hasFold()) {
      if (terminal) {
        clear();
      }
      out.println("fold " + event.getFold().getFold() + " done: validation " + Printer.metrics(event.getFold().getValidation()));
      out.flush();
    }
  }

  /** Ends a bar so that following output starts on a fresh line. */
  void done() {
    if (terminal && lastWidth > 0) {
      out.println();
      out.flush();
      lastWidth = 0;
    }
  }

  private void redraw(String line) {
    String padded = line.length() < lastWidth ? line + " ".repeat(lastWidth - line.length()) : line;
    out.print("\r" + padded);
    out.flush();
    lastWidth = line.length();
  }

  private void clear() {
    if (lastWidth > 0) {
      out.print("\r" + " ".repeat(lastWidth) + "\r");
      lastWidth = 0;
    }
  }

  private static String bar(long done, long total) {
    if (total <= 0) {
      return "[" + "?".repeat(BAR) + "]";
    }
    int filled = (int) Math.min(BAR, done * BAR / total);
    return "[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] " + String.format(Locale.ROOT, "%3d%%", done * 100 / total);
  }

  private static String megabytes(long bytes) {
    return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.1f", bytes / 1e6);
  }
}
