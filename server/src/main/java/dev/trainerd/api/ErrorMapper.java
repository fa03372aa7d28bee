package dev.trainerd.api;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become gRPC statuses. Domain exceptions carry their canonical
 * code, reason and field violations into {@code google.rpc} details; anything else is an
 * INTERNAL error whose details are logged, never sent.
 */
public final class ErrorMapper {
  /** The ErrorInfo domain of every trainerd error. */
  public static final String DOMAIN = "trainerd.dev";

  private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

  private ErrorMapper() {}

  /** Maps any throwable to the status a client should see. */
  public static StatusRuntimeException toStatusException(Throwable error) {
    return StatusProto.toStatusRuntimeException(toStatus(error));
  }

  /** Maps any throwable to a {@code google.rpc.Status} (also stored on failed jobs). */
  public static com.google.rpc.Status toStatus(Throwable error) {
    if (error instanceof StatusRuntimeException sre) {
      com.google.rpc.Status proto = StatusProto.fromThrowable(sre);
      return proto != null ? proto : fromCode(sre.getStatus().getCode().value(), sre.getStatus().getDescription());
    }
    if (error instanceof TrainerdException te) {
      return fromDomain(te);
    }
    if (error instanceof CancellationException) {
      return status(Code.CANCELLED, "CANCELLED", "the operation was cancelled", List.of());
    }
    log.error("unexpected failure", error);
    return status(Code.INTERNAL, "INTERNAL", "internal error; the server log has the details", List.of());
  }

  /** A status from a domain error. */
  public static com.google.rpc.Status fromDomain(TrainerdException te) {
    Code code = Code.valueOf(te.canonicalCode());
    if (code == Code.INTERNAL) {
      log.error("internal failure: {}", te.getMessage(), te.getCause());
    } else if (code == Code.UNAVAILABLE) {
      log.warn("unavailable: {}", te.getMessage(), te.getCause());
    }
    List<FieldViolation> violations =
        te instanceof TrainerdException.InvalidArgument ia ? ia.violations() : List.of();
    return status(code, te.reason(), te.getMessage(), violations);
  }

  private static com.google.rpc.Status fromCode(int code, String message) {
    return com.google.rpc.Status.newBuilder()
        .setCode(code)
        .setMessage(message == null ? "" : message)
        .build();
  }

  /** A status with ErrorInfo (trainerd's domain, {@code reason}) and, if any, BadRequest details. */
  static com.google.rpc.Status status(
      Code code, String reason, String message, List<FieldViolation> violations) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder()
            .setCode(code.getNumber())
            .setMessage(message)
            .addDetails(
                Any.pack(ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(reason).build()));
    if (!violations.isEmpty()) {
      BadRequest.Builder bad = BadRequest.newBuilder();
      for (FieldViolation v : violations) {
        bad.addFieldViolationsBuilder().setField(v.field()).setDescription(v.description());
      }
      status.addDetails(Any.pack(bad.build()));
    }
    return status.build();
  }

  /** Short form for adapters: INVALID_ARGUMENT for one field. */
  public static StatusRuntimeException invalid(String field, String description) {
    return toStatusException(TrainerdException.InvalidArgument.of(field, description));
  }
}
