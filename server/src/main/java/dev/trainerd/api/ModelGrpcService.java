package dev.trainerd.api;

import com.google.protobuf.ByteString;
import dev.trainerd.jobs.Page;
import dev.trainerd.models.ModelRecord;
import dev.trainerd.models.ModelService;
import dev.trainerd.models.Prediction;
import dev.trainerd.models.PredictionInput;
import dev.trainerd.v1.BatchPredictRequest;
import dev.trainerd.v1.BatchPredictResponse;
import dev.trainerd.v1.BatchPrediction;
import dev.trainerd.v1.DeleteModelRequest;
import dev.trainerd.v1.DeleteModelResponse;
import dev.trainerd.v1.EvaluateModelRequest;
import dev.trainerd.v1.EvaluationMetrics;
import dev.trainerd.v1.ExportModelRequest;
import dev.trainerd.v1.ExportModelResponse;
import dev.trainerd.v1.GetModelRequest;
import dev.trainerd.v1.ListModelsRequest;
import dev.trainerd.v1.ListModelsResponse;
import dev.trainerd.v1.Model;
import dev.trainerd.v1.ModelServiceGrpc;
import dev.trainerd.v1.ModelView;
import dev.trainerd.v1.PredictRequest;
import dev.trainerd.v1.PredictResponse;
import io.grpc.stub.StreamObserver;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/** gRPC adapter of the model API. */
public final class ModelGrpcService extends ModelServiceGrpc.ModelServiceImplBase {
  /** Bytes per ExportModel message. */
  static final int EXPORT_CHUNK = 1 << 20;

  private final ModelService models;
  private final ResourceMapper mapper;

  public ModelGrpcService(ModelService models, ResourceMapper mapper) {
    this.models = models;
    this.mapper = mapper;
  }

  @Override
  public void getModel(GetModelRequest request, StreamObserver<Model> response) {
    Calls.unary(
        response,
        () -> {
          ModelView view = request.getView() == ModelView.FULL ? ModelView.FULL : ModelView.BASIC;
          return mapper.toProto(models.get(Names.MODELS.parse(request.getName(), "name")), view);
        });
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> response) {
    Calls.unary(
        response,
        () -> {
          Page<ModelRecord> page = models.list(request.getPageSize(), request.getPageToken());
          ListModelsResponse.Builder out = ListModelsResponse.newBuilder().setNextPageToken(page.nextPageToken());
          page.items().forEach(m -> out.addModels(mapper.toProto(m, ModelView.BASIC)));
          return out.build();
        });
  }

  @Override
  public void deleteModel(DeleteModelRequest request, StreamObserver<DeleteModelResponse> response) {
    Calls.unary(
        response,
        () -> {
          models.delete(Names.MODELS.parse(request.getName(), "name"));
          return DeleteModelResponse.getDefaultInstance();
        });
  }

  @Override
  public void predict(PredictRequest request, StreamObserver<PredictResponse> response) {
    Calls.unary(
        response,
        () -> {
          String id = Names.MODELS.parse(request.getName(), "name");
          List<PredictionInput> inputs = new ArrayList<>(request.getInputsCount());
          for (int i = 0; i < request.getInputsCount(); i++) {
            dev.trainerd.v1.PredictionInput in = request.getInputs(i);
            switch (in.getKindCase()) {
              case FEATURES -> {
                float[] values = new float[in.getFeatures().getValuesCount()];
                for (int j = 0; j < values.length; j++) {
                  values[j] = in.getFeatures().getValues(j);
                }
                inputs.add(new PredictionInput.Features(values));
              }
              case RAW -> inputs.add(new PredictionInput.Raw(in.getRaw().getValuesMap()));
              case KIND_NOT_SET -> throw ErrorMapper.invalid("inputs[" + i + "]", "must set features or raw");
            }
          }
          PredictResponse.Builder out = PredictResponse.newBuilder();
          for (Prediction p : models.predict(id, inputs)) {
            out.addPredictions(toProto(p));
          }
          return out.build();
        });
  }

  @Override
  public void batchPredict(BatchPredictRequest request, StreamObserver<BatchPredictResponse> response) {
    try {
      String id = Names.MODELS.parse(request.getName(), "name");
      String dataset = Names.DATASETS.parse(request.getDataset(), "dataset");
      ModelRecord model = models.get(id);
      boolean[] first = {true};
      models.batchPredict(
          id,
          dataset,
          rows -> {
            BatchPredictResponse.Builder out = BatchPredictResponse.newBuilder();
            if (first[0]) {
              out.addHeader(model.idColumn().isEmpty() ? "index" : model.idColumn());
              out.addHeader(model.labelColumn());
              first[0] = false;
            }
            for (ModelService.BatchRow row : rows) {
              out.addRows(BatchPrediction.newBuilder().setId(row.id()).setPrediction(toProto(row.prediction())));
            }
            response.onNext(out.build());
          });
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(ErrorMapper.toStatusException(e));
    }
  }

  @Override
  public void evaluateModel(EvaluateModelRequest request, StreamObserver<EvaluationMetrics> response) {
    Calls.unary(
        response,
        () ->
            mapper.toProto(
                models.evaluate(
                    Names.MODELS.parse(request.getName(), "name"),
                    Names.DATASETS.parse(request.getDataset(), "dataset"))));
  }

  @Override
  public void exportModel(ExportModelRequest request, StreamObserver<ExportModelResponse> response) {
    try {
      String id = Names.MODELS.parse(request.getName(), "name");
      models.get(id);
      try (ChunkingStream out = new ChunkingStream(response, "model-" + id + ".zip")) {
        models.export(id, out);
      }
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(ErrorMapper.toStatusException(e));
    }
  }

  private static dev.trainerd.v1.Prediction toProto(Prediction p) {
    dev.trainerd.v1.Prediction.Builder out = dev.trainerd.v1.Prediction.newBuilder();
    for (float v : p.outputs()) {
      out.addOutputs(v);
    }
    if (p.predictedClass() >= 0) {
      out.setPredictedClass(p.predictedClass()).setPredictedLabel(p.predictedLabel());
    } else {
      out.setValue(p.value());
    }
    return out.build();
  }

  /** Cuts a byte stream into ExportModel messages; the first names the file. */
  private static final class ChunkingStream extends OutputStream {
    private final StreamObserver<ExportModelResponse> response;
    private final byte[] buffer = new byte[EXPORT_CHUNK];
    private int filled;
    private String fileName;

    ChunkingStream(StreamObserver<ExportModelResponse> response, String fileName) {
      this.response = response;
      this.fileName = fileName;
    }

    @Override
    public void write(int b) {
      buffer[filled++] = (byte) b;
      if (filled == buffer.length) {
        flushChunk();
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      while (len > 0) {
        int n = Math.min(len, buffer.length - filled);
        System.arraycopy(b, off, buffer, filled, n);
        filled += n;
        off += n;
        len -= n;
        if (filled == buffer.length) {
          flushChunk();
        }
      }
    }

    @Override
    public void close() {
      if (filled > 0 || fileName != null) {
        flushChunk();
      }
    }

    private void flushChunk() {
      ExportModelResponse.Builder msg = ExportModelResponse.newBuilder().setData(ByteString.copyFrom(buffer, 0, filled));
      if (fileName != null) {
        msg.setFileName(fileName);
        fileName = null;
      }
      response.onNext(msg.build());
      filled = 0;
    }
  }
}
