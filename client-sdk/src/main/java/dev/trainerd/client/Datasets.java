package dev.trainerd.client;

import com.google.protobuf.UnsafeByteOperations;
import dev.trainerd.v1.CreateSyntheticDatasetRequest;
import dev.trainerd.v1.CreateSyntheticDatasetResponse;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetServiceGrpc;
import dev.trainerd.v1.DeleteDatasetRequest;
import dev.trainerd.v1.FileChunk;
import dev.trainerd.v1.GetDatasetRequest;
import dev.trainerd.v1.ListDatasetsRequest;
import dev.trainerd.v1.ListDatasetsResponse;
import dev.trainerd.v1.SyntheticSpec;
import dev.trainerd.v1.UploadDatasetMetadata;
import dev.trainerd.v1.UploadDatasetRequest;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Data sets on the server: uploads of CSV and IDX files, the chapter's synthetic data sets,
 * get, list and delete. Names may be given as {@code datasets/{id}} or as the bare id.
 */
public final class Datasets {
  private final CallSettings settings;

  Datasets(CallSettings settings) {
    this.settings = settings;
  }

  /**
   * Uploads files as one data set and returns it once the server has parsed and stored it. Sends
   * only as fast as the transport accepts (flow control), so memory stays at one chunk whatever
   * the file sizes. Blocks the calling thread until the server answers.
   *
   * @throws TrainerException when a file cannot be read (the upload is cancelled and the server
   *     keeps nothing) or the server rejects the data
   */
  public Dataset upload(DatasetUpload upload) {
    CompletableFuture<Dataset> result = new CompletableFuture<>();
    Object readiness = new Object();
    CompletableFuture<ClientCallStreamObserver<UploadDatasetRequest>> requestStream = new CompletableFuture<>();
    settings
        .streaming(DatasetServiceGrpc.newStub(settings.channel()))
        .uploadDataset(
            new ClientResponseObserver<UploadDatasetRequest, Dataset>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<UploadDatasetRequest> stream) {
                stream.setOnReadyHandler(
                    () -> {
                      synchronized (readiness) {
                        readiness.notifyAll();
                      }
                    });
                requestStream.complete(stream);
              }

              @Override
              public void onNext(Dataset value) {
                result.complete(value);
              }

              @Override
              public void onError(Throwable t) {
                result.completeExceptionally(t);
                synchronized (readiness) {
                  readiness.notifyAll();
                }
              }

              @Override
              public void onCompleted() {
                if (!result.isDone()) {
                  result.completeExceptionally(Status.INTERNAL.withDescription("upload ended without a data set").asRuntimeException());
                }
              }
            });
    ClientCallStreamObserver<UploadDatasetRequest> stream = requestStream.join();
    try {
      send(upload, stream, result, readiness);
      stream.onCompleted();
    } catch (IOException e) {
      stream.cancel("a file could not be read", e);
      throw new TrainerException(
          Status.Code.INVALID_ARGUMENT, "UNREADABLE_FILE", "cannot read the upload: " + e.getMessage(), List.of(), e);
    } catch (InterruptedException e) {
      stream.cancel("interrupted", e);
      Thread.currentThread().interrupt();
      throw new TrainerException(Status.Code.CANCELLED, "CANCELLED", "upload interrupted", List.of(), e);
    } catch (RuntimeException e) {
      stream.cancel("upload failed on the client", e);
      throw TrainerException.from(e);
    }
    return await(result);
  }

  /** Uploads the files with the given metadata (see {@link #upload(DatasetUpload)}). */
  public Dataset upload(UploadDatasetMetadata metadata, List<Path> files) {
    DatasetUpload.Builder b = DatasetUpload.newBuilder().metadata(metadata);
    files.forEach(b::addFile);
    return upload(b.build());
  }

  /** Uploads one stream as a file named {@code fileName} (see {@link #upload(DatasetUpload)}). */
  public Dataset upload(UploadDatasetMetadata metadata, String fileName, InputStream data) {
    return upload(DatasetUpload.newBuilder().metadata(metadata).addStream(fileName, data, -1).build());
  }

  private static void send(
      DatasetUpload upload,
      ClientCallStreamObserver<UploadDatasetRequest> stream,
      CompletableFuture<Dataset> result,
      Object readiness)
      throws IOException, InterruptedException {
    long total = 0;
    for (DatasetUpload.Source source : upload.sources()) {
      long size = source.size();
      total = size < 0 || total < 0 ? -1 : total + size;
    }
    if (!awaitReady(stream, result, readiness)) {
      return;
    }
    stream.onNext(UploadDatasetRequest.newBuilder().setMetadata(upload.metadata()).build());
    long sent = 0;
    for (DatasetUpload.Source source : upload.sources()) {
      boolean sentAny = false;
      try (InputStream in = source.open()) {
        while (true) {
          // A fresh array per chunk, never written again once sent: the message wraps it instead
          // of copying it (the transport may still hold it after onNext returns).
          byte[] buffer = new byte[upload.chunkBytes()];
          int filled = in.readNBytes(buffer, 0, buffer.length);
          if (filled == 0 && sentAny) {
            break;
          }
          if (!awaitReady(stream, result, readiness)) {
            return;
          }
          stream.onNext(
              UploadDatasetRequest.newBuilder()
                  .setChunk(FileChunk.newBuilder().setFileName(source.fileName()).setData(UnsafeByteOperations.unsafeWrap(buffer, 0, filled)))
                  .build());
          sentAny = true;
          sent += filled;
          upload.progress().onProgress(source.fileName(), sent, total);
          if (filled < buffer.length) {
            break;
          }
        }
      }
    }
  }

  /** Waits until the transport takes more; false when the call already ended (with an error). */
  private static boolean awaitReady(
      ClientCallStreamObserver<UploadDatasetRequest> stream, CompletableFuture<Dataset> result, Object readiness)
      throws InterruptedException {
    synchronized (readiness) {
      while (!stream.isReady() && !result.isDone()) {
        readiness.wait(1000);
      }
    }
    return !result.isDone();
  }

  private static Dataset await(CompletableFuture<Dataset> result) {
    try {
      return result.get();
    } catch (ExecutionException e) {
      throw TrainerException.from(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrainerException(Status.Code.CANCELLED, "CANCELLED", "interrupted while waiting for the upload", List.of(), e);
    }
  }

  /**
   * Generates one of the chapter's synthetic data sets. Polynomial and weight-decay generators
   * make a train and a test data set.
   */
  public CreateSyntheticDatasetResponse createSynthetic(String displayName, SyntheticSpec spec, long seed) {
    return createSynthetic(
        CreateSyntheticDatasetRequest.newBuilder().setDisplayName(displayName).setSpec(spec).setSeed(seed).build());
  }

  /** Generates a synthetic data set from a full request. */
  public CreateSyntheticDatasetResponse createSynthetic(CreateSyntheticDatasetRequest request) {
    return Calls.call(() -> settings.unary(DatasetServiceGrpc.newBlockingStub(settings.channel())).createSyntheticDataset(request));
  }

  /** Gets a data set by name or id. */
  public Dataset get(String name) {
    GetDatasetRequest request = GetDatasetRequest.newBuilder().setName(ResourceNames.dataset(name)).build();
    return Calls.call(() -> settings.unary(DatasetServiceGrpc.newBlockingStub(settings.channel())).getDataset(request));
  }

  /** Every data set, newest first, fetched a page (50) at a time as iteration proceeds. */
  public PagedIterable<Dataset> list() {
    return list(0);
  }

  /** Every data set, newest first, fetched {@code pageSize} at a time (0: the server's 50). */
  public PagedIterable<Dataset> list(int pageSize) {
    return new PagedIterable<>(
        token -> {
          ListDatasetsRequest request = ListDatasetsRequest.newBuilder().setPageSize(pageSize).setPageToken(token).build();
          ListDatasetsResponse page =
              Calls.call(() -> settings.unary(DatasetServiceGrpc.newBlockingStub(settings.channel())).listDatasets(request));
          return new PagedIterable.Page<>(page.getDatasetsList(), page.getNextPageToken());
        });
  }

  /**
   * Deletes a data set.
   *
   * @throws TrainerException FAILED_PRECONDITION while a queued or running job uses it
   */
  public void delete(String name) {
    DeleteDatasetRequest request = DeleteDatasetRequest.newBuilder().setName(ResourceNames.dataset(name)).build();
    Calls.call(() -> settings.unary(DatasetServiceGrpc.newBlockingStub(settings.channel())).deleteDataset(request));
  }
}
