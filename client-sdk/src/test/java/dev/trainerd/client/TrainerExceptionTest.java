package dev.trainerd.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.junit.jupiter.api.Test;

class TrainerExceptionTest {
  @Test
  void readsTheReasonAndFieldViolationsFromTheStatusDetails() {
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(Code.INVALID_ARGUMENT_VALUE)
            .setMessage("the training job spec is invalid")
            .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain("trainerd.dev").setReason("INVALID_SPEC").build()))
            .addDetails(
                Any.pack(
                    BadRequest.newBuilder()
                        .addFieldViolations(
                            BadRequest.FieldViolation.newBuilder().setField("spec.learning_rate").setDescription("must be > 0, was -1"))
                        .build()))
            .build();
    StatusRuntimeException wire = StatusProto.toStatusRuntimeException(status);

    TrainerException e = TrainerException.from(wire);

    assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.reason()).isEqualTo("INVALID_SPEC");
    assertThat(e.getMessage()).isEqualTo("the training job spec is invalid");
    assertThat(e.fieldViolations()).containsExactly(new FieldViolation("spec.learning_rate", "must be > 0, was -1"));
    assertThat(e.oneLine())
        .isEqualTo("INVALID_ARGUMENT: the training job spec is invalid (spec.learning_rate: must be > 0, was -1)");
    assertThat(e.getCause()).isSameAs(wire);
  }

  @Test
  void aPlainStatusHasNoReasonOrViolations() {
    TrainerException e = TrainerException.from(Status.UNAVAILABLE.withDescription("io exception").asRuntimeException());
    assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.reason()).isEmpty();
    assertThat(e.fieldViolations()).isEmpty();
    assertThat(e.oneLine()).isEqualTo("UNAVAILABLE: io exception");
  }

  @Test
  void aFailedJobsStatusConverts() {
    TrainerException e =
        TrainerException.fromStatus(
            com.google.rpc.Status.newBuilder().setCode(Code.FAILED_PRECONDITION_VALUE).setMessage("no GPU").build());
    assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.oneLine()).isEqualTo("FAILED_PRECONDITION: no GPU");
  }

  @Test
  void otherFailuresAreUnknownAndATrainerExceptionStaysItself() {
    TrainerException e = TrainerException.from(new IllegalStateException("boom"));
    assertThat(e.code()).isEqualTo(Status.Code.UNKNOWN);
    assertThat(TrainerException.from(e)).isSameAs(e);
  }
}
