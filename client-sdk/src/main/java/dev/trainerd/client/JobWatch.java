package dev.trainerd.client;

import dev.trainerd.v1.TrainingJobEvent;
import io.grpc.Context;
import java.util.Iterator;

/**
 * A blocking iterator over a job's events: its history first, then live events until the
 * terminal state change (the last event). Closing it stops watching; the job is not affected.
 */
public final class JobWatch extends EventWatch<TrainingJobEvent> {
  JobWatch(Context.CancellableContext context, Iterator<TrainingJobEvent> events) {
    super(context, events);
  }
}
