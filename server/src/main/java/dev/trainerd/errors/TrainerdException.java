package dev.trainerd.errors;

import java.util.List;

/**
 * A failure that a client can act on. The subtype decides the canonical status; {@link #reason()}
 * is a stable UPPER_SNAKE_CASE identifier clients may branch on.
 */
public abstract sealed class TrainerdException extends RuntimeException
    permits TrainerdException.InvalidArgument,
        TrainerdException.NotFound,
        TrainerdException.AlreadyExists,
        TrainerdException.FailedPrecondition,
        TrainerdException.ResourceExhausted,
        TrainerdException.Aborted,
        TrainerdException.Internal,
        TrainerdException.Unavailable {

  private final String reason;
  private final String canonicalCode;

  protected TrainerdException(String canonicalCode, String reason, String message, Throwable cause) {
    super(message, cause, false, false);
    this.canonicalCode = canonicalCode;
    this.reason = reason;
  }

  /** The canonical status code's name ({@code INVALID_ARGUMENT}, {@code NOT_FOUND}, ...). */
  public String canonicalCode() {
    return canonicalCode;
  }

  /** A stable machine-readable reason, such as {@code DATASET_NOT_FOUND}. */
  public String reason() {
    return reason;
  }

  /** The request is malformed; {@link #violations()} says which fields and why. */
  public static final class InvalidArgument extends TrainerdException {
    private final List<FieldViolation> violations;

    public InvalidArgument(String reason, String message, List<FieldViolation> violations) {
      super("INVALID_ARGUMENT", reason, message, null);
      this.violations = List.copyOf(violations);
    }

    /** A single-field violation whose description doubles as the message. */
    public static InvalidArgument of(String field, String description) {
      return new InvalidArgument(
          "INVALID_FIELD", field + ": " + description, List.of(new FieldViolation(field, description)));
    }

    /** Several violations; the message summarises the first. */
    public static InvalidArgument of(List<FieldViolation> violations) {
      if (violations.isEmpty()) {
        throw new IllegalArgumentException("no violations");
      }
      FieldViolation first = violations.get(0);
      String more = violations.size() > 1 ? " (and " + (violations.size() - 1) + " more)" : "";
      return new InvalidArgument(
          "INVALID_FIELD", first.field() + ": " + first.description() + more, violations);
    }

    public List<FieldViolation> violations() {
      return violations;
    }
  }

  /** The named resource does not exist. */
  public static final class NotFound extends TrainerdException {
    public NotFound(String reason, String message) {
      super("NOT_FOUND", reason, message, null);
    }
  }

  /** A resource with the same identity exists and the request may not replace it. */
  public static final class AlreadyExists extends TrainerdException {
    public AlreadyExists(String reason, String message) {
      super("ALREADY_EXISTS", reason, message, null);
    }
  }

  /** The system is not in a state that allows the request (e.g. deleting a dataset in use). */
  public static final class FailedPrecondition extends TrainerdException {
    public FailedPrecondition(String reason, String message) {
      super("FAILED_PRECONDITION", reason, message, null);
    }
  }

  /** A configured limit (bytes, jobs, work) would be exceeded. */
  public static final class ResourceExhausted extends TrainerdException {
    public ResourceExhausted(String reason, String message) {
      super("RESOURCE_EXHAUSTED", reason, message, null);
    }
  }

  /** The operation was cancelled or lost a race; retrying at a higher level may succeed. */
  public static final class Aborted extends TrainerdException {
    public Aborted(String reason, String message) {
      super("ABORTED", reason, message, null);
    }
  }

  /** A server-side fault the client cannot fix; the message is safe to show, details are logged. */
  public static final class Internal extends TrainerdException {
    public Internal(String reason, String message, Throwable cause) {
      super("INTERNAL", reason, message, cause);
    }
  }

  /**
   * A service the server depends on (the cluster's database or object store) cannot be reached;
   * the same call may succeed when retried, here or on another replica.
   */
  public static final class Unavailable extends TrainerdException {
    public Unavailable(String reason, String message, Throwable cause) {
      super("UNAVAILABLE", reason, message, cause);
    }
  }
}
