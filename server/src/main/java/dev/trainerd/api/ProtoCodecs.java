package dev.trainerd.api;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.JobCodec;
import dev.trainerd.jobs.JobEvent;
import dev.trainerd.jobs.TrainingJobRecord;
import dev.trainerd.models.ModelCodec;
import dev.trainerd.models.ModelRecord;
import dev.trainerd.sweeps.SweepCodec;
import dev.trainerd.sweeps.SweepRecord;
import dev.trainerd.v1.Model;
import dev.trainerd.v1.Sweep;
import dev.trainerd.v1.ModelView;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Stores jobs, models and sweeps as the API's own messages: what is on disk reads back exactly as clients
 * saw it, and the proto's compatibility rules carry stored data across versions.
 */
public final class ProtoCodecs {
  private ProtoCodecs() {}

  /** Jobs as {@code TrainingJob} and events as {@code TrainingJobEvent} messages. */
  public static JobCodec jobs(ResourceMapper mapper) {
    return new JobCodec() {
      @Override
      public byte[] encodeJob(TrainingJobRecord job) {
        return mapper.toProto(job).toByteArray();
      }

      @Override
      public TrainingJobRecord decodeJob(byte[] bytes) {
        try {
          return mapper.toDomain(TrainingJob.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
          throw corrupt("job", e);
        }
      }

      @Override
      public byte[] encodeEvent(JobEvent event) {
        return mapper.toProto(event).toByteArray();
      }

      @Override
      public JobEvent decodeEvent(byte[] bytes) {
        try {
          return mapper.toDomain(TrainingJobEvent.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
          throw corrupt("job event", e);
        }
      }
    };
  }

  /**
   * Models as a {@code Model} message (FULL view) followed by the preprocessing JSON, each
   * length-prefixed.
   */
  public static ModelCodec models(ResourceMapper mapper) {
    return new ModelCodec() {
      @Override
      public byte[] encode(ModelRecord model) {
        try {
          ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          DataOutputStream out = new DataOutputStream(bytes);
          byte[] proto = mapper.toProto(model, ModelView.FULL).toByteArray();
          out.writeInt(proto.length);
          out.write(proto);
          byte[] prep = model.preprocessorJson().orElse("").getBytes(StandardCharsets.UTF_8);
          out.writeInt(prep.length);
          out.write(prep);
          out.flush();
          return bytes.toByteArray();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public ModelRecord decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
          byte[] proto = in.readNBytes(in.readInt());
          String prep = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
          return mapper.toDomain(Model.parseFrom(proto), prep.isEmpty() ? Optional.empty() : Optional.of(prep));
        } catch (IOException e) {
          throw corrupt("model", e);
        }
      }
    };
  }

  /** Sweeps as {@code Sweep} messages. */
  public static SweepCodec sweeps(SweepMapper mapper) {
    return new SweepCodec() {
      @Override
      public byte[] encode(SweepRecord sweep) {
        return mapper.toProto(sweep).toByteArray();
      }

      @Override
      public SweepRecord decode(byte[] bytes) {
        try {
          return mapper.toDomainResolved(Sweep.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
          throw corrupt("sweep", e);
        }
      }
    };
  }

  private static TrainerdException.Internal corrupt(String what, Exception e) {
    return new TrainerdException.Internal("CORRUPT_RECORD", "a stored " + what + " could not be read", e);
  }
}
