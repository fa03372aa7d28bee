package dev.trainerd.jobs;

import java.util.Objects;

/**
 * Why a job did not succeed, in the form the API reports it.
 *
 * @param code canonical status name, e.g. {@code INVALID_ARGUMENT}, {@code ABORTED}
 * @param reason stable machine-readable reason, e.g. {@code SERVER_RESTARTED}
 * @param message short human-readable explanation
 */
public record JobFailure(String code, String reason, String message) {
  public JobFailure {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  /** The failure recorded for jobs that were running when the server stopped. */
  public static JobFailure serverRestarted() {
    return new JobFailure("ABORTED", "SERVER_RESTARTED", "server restarted while the job was running");
  }

  /** The failure recorded for jobs cancelled on request. */
  public static JobFailure cancelled(String why) {
    return new JobFailure("CANCELLED", "CANCELLED", why);
  }
}
