package dev.trainerd.bench;

import com.google.protobuf.UnsafeByteOperations;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetServiceGrpc;
import dev.trainerd.v1.FileChunk;
import dev.trainerd.v1.UploadDatasetMetadata;
import dev.trainerd.v1.UploadDatasetRequest;
import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Uploads files over the raw stubs, sending only when the transport is ready (the benchmarks and
 * the server's end-to-end tests use it; real clients use the SDK).
 */
public final class StreamingUpload {
  private StreamingUpload() {}

  /** Sends {@code metadata}, then each file in 1 MiB chunks, and returns the stored data set. */
  public static Dataset upload(Channel channel, UploadDatasetMetadata metadata, List<Path> files) throws Exception {
    CompletableFuture<Dataset> result = new CompletableFuture<>();
    DatasetServiceGrpc.newStub(channel)
        .uploadDataset(
            new ClientResponseObserver<UploadDatasetRequest, Dataset>() {
              private ClientCallStreamObserver<UploadDatasetRequest> requests;
              private int file;
              private InputStream in;
              private boolean sentMetadata;
              private boolean done;

              @Override
              public void beforeStart(ClientCallStreamObserver<UploadDatasetRequest> requestStream) {
                requests = requestStream;
                requestStream.setOnReadyHandler(this::pump);
              }

              private synchronized void pump() {
                try {
                  while (requests.isReady() && !done) {
                    if (!sentMetadata) {
                      requests.onNext(UploadDatasetRequest.newBuilder().setMetadata(metadata).build());
                      sentMetadata = true;
                      continue;
                    }
                    if (in == null) {
                      if (file == files.size()) {
                        done = true;
                        requests.onCompleted();
                        return;
                      }
                      in = Files.newInputStream(files.get(file));
                    }
                    // A fresh array per chunk, never written again: the message can wrap it.
                    byte[] chunk = in.readNBytes(1 << 20);
                    if (chunk.length == 0) {
                      in.close();
                      in = null;
                      file++;
                      continue;
                    }
                    requests.onNext(
                        UploadDatasetRequest.newBuilder()
                            .setChunk(
                                FileChunk.newBuilder()
                                    .setFileName(files.get(file).getFileName().toString())
                                    .setData(UnsafeByteOperations.unsafeWrap(chunk)))
                            .build());
                  }
                } catch (IOException e) {
                  requests.onError(e);
                  throw new UncheckedIOException(e);
                }
              }

              @Override
              public void onNext(Dataset value) {
                result.complete(value);
              }

              @Override
              public void onError(Throwable t) {
                result.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    try {
      return result.get(120, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
