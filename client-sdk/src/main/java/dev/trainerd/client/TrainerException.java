package dev.trainerd.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;

/**
 * The one exception the SDK throws: a failed call or a request rejected before it was sent. It
 * carries the gRPC status code, the {@code google.rpc.ErrorInfo} reason (e.g.
 * {@code NOT_FOUND}, {@code INVALID_SPEC}; empty when the server sent none) and the
 * {@code google.rpc.BadRequest} field violations.
 */
public final class TrainerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;
  private final String reason;
  private final List<FieldViolation> fieldViolations;

  /** An exception with every part given. */
  public TrainerException(
      Status.Code code, String reason, String message, List<FieldViolation> fieldViolations, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.reason = reason == null ? "" : reason;
    this.fieldViolations = List.copyOf(fieldViolations);
  }

  /**
   * Converts any failure of a call into a TrainerException, reading the {@code google.rpc}
   * details of a gRPC status. A TrainerException is returned as it is.
   */
  public static TrainerException from(Throwable error) {
    if (error instanceof TrainerException te) {
      return te;
    }
    if (error instanceof StatusRuntimeException || error instanceof StatusException) {
      Status status = Status.fromThrowable(error);
      com.google.rpc.Status details = StatusProto.fromThrowable(error);
      if (details != null) {
        return fromStatus(details, error);
      }
      return new TrainerException(status.getCode(), "", describe(status), List.of(), error);
    }
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    return new TrainerException(Status.Code.UNKNOWN, "", message, List.of(), error);
  }

  /**
   * Converts a {@code google.rpc.Status} (as a failed job's {@code error} field holds) into a
   * TrainerException.
   */
  public static TrainerException fromStatus(com.google.rpc.Status status) {
    return fromStatus(status, null);
  }

  private static TrainerException fromStatus(com.google.rpc.Status status, Throwable cause) {
    String reason = "";
    List<FieldViolation> violations = new ArrayList<>();
    for (Any detail : status.getDetailsList()) {
      try {
        if (detail.is(ErrorInfo.class)) {
          reason = detail.unpack(ErrorInfo.class).getReason();
        } else if (detail.is(BadRequest.class)) {
          for (BadRequest.FieldViolation v : detail.unpack(BadRequest.class).getFieldViolationsList()) {
            violations.add(new FieldViolation(v.getField(), v.getDescription()));
          }
        }
      } catch (InvalidProtocolBufferException e) {
        // A malformed detail must not hide the status itself.
      }
    }
    Status.Code code = Status.fromCodeValue(status.getCode()).getCode();
    String message = status.getMessage().isEmpty() ? code.name() : status.getMessage();
    return new TrainerException(code, reason, message, violations, cause);
  }

  /** A request rejected on the client, before it was sent: INVALID_ARGUMENT with violations. */
  static TrainerException invalid(List<FieldViolation> violations) {
    StringBuilder message = new StringBuilder("invalid request: ");
    for (int i = 0; i < violations.size(); i++) {
      message.append(i == 0 ? "" : "; ").append(violations.get(i));
    }
    return new TrainerException(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", message.toString(), violations, null);
  }

  private static String describe(Status status) {
    if (status.getDescription() != null) {
      return status.getDescription();
    }
    if (status.getCause() != null && status.getCause().getMessage() != null) {
      return status.getCode() + ": " + status.getCause().getMessage();
    }
    return status.getCode().name();
  }

  /** The gRPC status code. */
  public Status.Code code() {
    return code;
  }

  /** The machine-readable reason from the server's ErrorInfo; empty when there was none. */
  public String reason() {
    return reason;
  }

  /** The invalid fields of the request; empty unless the code is INVALID_ARGUMENT. */
  public List<FieldViolation> fieldViolations() {
    return fieldViolations;
  }

  /**
   * One line for people: code, message and the violations, e.g. {@code INVALID_ARGUMENT: the
   * spec is invalid (spec.learning_rate: must be > 0)}.
   */
  public String oneLine() {
    StringBuilder line = new StringBuilder(code.name()).append(": ").append(getMessage().replace('\n', ' '));
    if (!fieldViolations.isEmpty() && !getMessage().contains(fieldViolations.get(0).description())) {
      line.append(" (");
      for (int i = 0; i < fieldViolations.size(); i++) {
        line.append(i == 0 ? "" : "; ").append(fieldViolations.get(i));
      }
      line.append(')');
    }
    return line.toString();
  }
}
