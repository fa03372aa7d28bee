package dev.trainerd.data;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * trainerd's binary layout for dense {@link Examples} (synthetic datasets), and the parser of
 * {@link DatasetFormat#SYNTHETIC} datasets that reads it back.
 *
 * <p>Layout, all big-endian: magic {@code "TDEX"}; int32 version (1); int32 count; int32
 * featureCount; int8 label kind (0 none, 1 regression, 2 classes); int32 class count (0 unless
 * classes); {@code count * featureCount} float32 features row-major; then {@code count} float32
 * targets (regression) or int32 class indices (classes), nothing for none. Class names are the
 * indices as text.
 */
public final class ExamplesFile implements DatasetParser {

  private static final int MAGIC = 0x54444558; // "TDEX"
  private static final int VERSION = 1;
  private static final int HEADER_BYTES = 4 + 4 + 4 + 4 + 1 + 4;
  private static final int CHUNK = 1 << 16;

  @Override
  public DatasetFormat format() {
    return DatasetFormat.SYNTHETIC;
  }

  /** Writes the examples in this layout; the stream is flushed, not closed. */
  public static void write(Examples examples, OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, CHUNK));
    data.writeInt(MAGIC);
    data.writeInt(VERSION);
    data.writeInt(examples.count());
    data.writeInt(examples.featureCount());
    Examples.Labels labels = examples.labels();
    if (labels instanceof Examples.Labels.Regression r) {
      data.writeByte(1);
      data.writeInt(0);
      writeFloats(data, examples.features());
      writeFloats(data, r.values());
    } else if (labels instanceof Examples.Labels.Classes c) {
      data.writeByte(2);
      data.writeInt(c.classCount());
      writeFloats(data, examples.features());
      for (int v : c.values()) {
        data.writeInt(v);
      }
    } else {
      data.writeByte(0);
      data.writeInt(0);
      writeFloats(data, examples.features());
    }
    data.flush();
  }

  private static void writeFloats(DataOutputStream data, float[] values) throws IOException {
    for (float v : values) {
      data.writeFloat(v);
    }
  }

  @Override
  public LoadedDataset parse(List<NamedFile> files, DatasetOptions options) {
    if (files.size() != 1) {
      throw TrainerdException.InvalidArgument.of(
          "files", "a synthetic dataset is exactly one file, got " + files.size());
    }
    NamedFile file = files.get(0);
    try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ)) {
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
      readFully(channel, header, file);
      header.flip();
      if (header.getInt() != MAGIC || header.getInt() != VERSION) {
        throw corrupt(file, "not a trainerd examples file (version " + VERSION + ")");
      }
      int count = header.getInt();
      int featureCount = header.getInt();
      int kind = header.get();
      int classCount = header.getInt();
      long values = (long) count * featureCount;
      long labelValues = kind == 0 ? 0 : count;
      if (count < 0 || featureCount <= 0 || kind < 0 || kind > 2
          || values > Integer.MAX_VALUE - 8
          || channel.size() != HEADER_BYTES + 4 * (values + labelValues)) {
        throw corrupt(file, "header does not match the file size");
      }
      float[] features = new float[(int) values];
      readFloats(channel, features, file);
      Examples.Labels labels;
      List<String> classNames = List.of();
      if (kind == 1) {
        float[] targets = new float[count];
        readFloats(channel, targets, file);
        labels = new Examples.Labels.Regression(targets);
      } else if (kind == 2) {
        int[] classes = new int[count];
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.BIG_ENDIAN);
        for (int done = 0; done < count; ) {
          int n = Math.min(CHUNK / 4, count - done);
          buffer.clear().limit(n * 4);
          readFully(channel, buffer, file);
          buffer.flip();
          buffer.asIntBuffer().get(classes, done, n);
          done += n;
        }
        for (int v : classes) {
          if (v < 0 || v >= classCount) {
            throw corrupt(file, "class index " + v + " outside [0, " + classCount + ")");
          }
        }
        labels = new Examples.Labels.Classes(classes, classCount);
        List<String> names = new ArrayList<>();
        for (int k = 0; k < classCount; k++) {
          names.add(Integer.toString(k));
        }
        classNames = names;
      } else {
        labels = new Examples.Labels.None();
      }
      return new LoadedDataset.Dense(new Examples(count, featureCount, features, labels), classNames);
    } catch (IOException e) {
      throw new TrainerdException.Internal("DATASET_READ_FAILED", "could not read " + file.name(), e);
    } catch (IllegalArgumentException e) {
      throw corrupt(file, e.getMessage());
    }
  }

  private static void readFloats(FileChannel channel, float[] out, NamedFile file)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.BIG_ENDIAN);
    for (int done = 0; done < out.length; ) {
      int n = Math.min(CHUNK / 4, out.length - done);
      buffer.clear().limit(n * 4);
      readFully(channel, buffer, file);
      buffer.flip();
      buffer.asFloatBuffer().get(out, done, n);
      done += n;
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, NamedFile file)
      throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw corrupt(file, "ends early");
      }
    }
  }

  private static TrainerdException.InvalidArgument corrupt(NamedFile file, String why) {
    return TrainerdException.InvalidArgument.of("files[" + file.name() + "]", file.name() + ": " + why);
  }
}
