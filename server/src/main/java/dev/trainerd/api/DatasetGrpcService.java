package dev.trainerd.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.trainerd.data.ColumnSchema;
import dev.trainerd.data.DatasetFile;
import dev.trainerd.data.DatasetMetadata;
import dev.trainerd.data.CifarLabels;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.ImageOptions;
import dev.trainerd.data.ImageTransform;
import dev.trainerd.data.LabelKind;
import dev.trainerd.data.TaskKind;
import dev.trainerd.data.synthetic.SplitExamples;
import dev.trainerd.data.synthetic.SyntheticData;
import dev.trainerd.data.synthetic.SyntheticSpec;
import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import dev.trainerd.jobs.Page;
import dev.trainerd.store.DatasetStore;
import dev.trainerd.store.UploadSession;
import dev.trainerd.v1.Column;
import dev.trainerd.v1.ColumnType;
import dev.trainerd.v1.CreateSyntheticDatasetRequest;
import dev.trainerd.v1.CreateSyntheticDatasetResponse;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetFormat;
import dev.trainerd.v1.DatasetServiceGrpc;
import dev.trainerd.v1.DeleteDatasetRequest;
import dev.trainerd.v1.DeleteDatasetResponse;
import dev.trainerd.v1.GetDatasetRequest;
import dev.trainerd.v1.LinearSyntheticSpec;
import dev.trainerd.v1.ListDatasetsRequest;
import dev.trainerd.v1.ListDatasetsResponse;
import dev.trainerd.v1.PolynomialSyntheticSpec;
import dev.trainerd.v1.RandomResizedCropTransform;
import dev.trainerd.v1.TaskType;
import dev.trainerd.v1.UploadDatasetMetadata;
import dev.trainerd.v1.UploadDatasetRequest;
import dev.trainerd.v1.WeightDecaySyntheticSpec;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import dev.trainerd.metrics.DatasetMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * gRPC adapter of the data-set API. Uploads use manual flow control: the next message is requested
 * only after the previous chunk is on disk, so a fast client cannot flood the server's memory.
 */
public final class DatasetGrpcService extends DatasetServiceGrpc.DatasetServiceImplBase {
  /** Largest chunk accepted in one upload message. */
  static final int MAX_CHUNK_BYTES = 4 << 20;

  private final DatasetStore datasets;
  private final DatasetMetrics metrics;
  private final Clock clock;
  private final long maxStoredBytes;

  /** @param maxStoredBytes most bytes the store may hold; uploads that would pass it are refused */
  public DatasetGrpcService(DatasetStore datasets, DatasetMetrics metrics, Clock clock, long maxStoredBytes) {
    this.datasets = datasets;
    this.metrics = metrics;
    this.clock = clock;
    this.maxStoredBytes = maxStoredBytes;
  }

  private void requireRoom(long more) {
    long held = datasets.totalBytes();
    if (held + more > maxStoredBytes) {
      throw new TrainerdException.ResourceExhausted(
          "STORE_FULL",
          "the data-set store holds " + held + " of its " + maxStoredBytes
              + " bytes; delete data sets before uploading " + more + " more");
    }
  }

  @Override
  public StreamObserver<UploadDatasetRequest> uploadDataset(StreamObserver<Dataset> response) {
    ServerCallStreamObserver<Dataset> call = (ServerCallStreamObserver<Dataset>) response;
    call.disableAutoRequest();
    Upload upload = new Upload(call);
    call.setOnCancelHandler(upload::abort);
    call.request(1);
    return upload;
  }

  /** One upload stream: metadata first, then chunks of files in order. */
  private final class Upload implements StreamObserver<UploadDatasetRequest> {
    private final ServerCallStreamObserver<Dataset> call;
    private final Instant started = clock.instant();
    private UploadSession session;
    private String currentFile;
    private long bytes;
    private boolean finished;

    Upload(ServerCallStreamObserver<Dataset> call) {
      this.call = call;
    }

    @Override
    public synchronized void onNext(UploadDatasetRequest message) {
      if (finished) {
        return;
      }
      try {
        if (session == null) {
          if (message.getPayloadCase() != UploadDatasetRequest.PayloadCase.METADATA) {
            throw ErrorMapper.invalid("metadata", "the first message must carry metadata");
          }
          UploadDatasetMetadata meta = message.getMetadata();
          session = datasets.beginUpload(Calls.displayName(meta.getDisplayName(), "metadata.display_name"), options(meta));
        } else {
          if (message.getPayloadCase() != UploadDatasetRequest.PayloadCase.CHUNK) {
            throw ErrorMapper.invalid("metadata", "only the first message may carry metadata");
          }
          String name = message.getChunk().getFileName();
          if (name.isEmpty()) {
            throw ErrorMapper.invalid("chunk.file_name", "is required");
          }
          if (message.getChunk().getData().size() > MAX_CHUNK_BYTES) {
            throw ErrorMapper.invalid("chunk.data", "must be at most " + MAX_CHUNK_BYTES + " bytes per message");
          }
          if (!name.equals(currentFile)) {
            session.startFile(name);
            currentFile = name;
          }
          bytes += message.getChunk().getData().size();
          requireRoom(bytes);
          session.write(message.getChunk().getData().asReadOnlyByteBuffer());
        }
        call.request(1);
      } catch (RuntimeException e) {
        fail(e);
      }
    }

    @Override
    public synchronized void onError(Throwable t) {
      abort();
    }

    @Override
    public synchronized void onCompleted() {
      if (finished) {
        return;
      }
      try {
        if (session == null) {
          throw ErrorMapper.invalid("metadata", "the upload was empty; send metadata and at least one chunk");
        }
        DatasetMetadata stored = session.commit();
        session = null;
        finish(DatasetMetrics.Outcome.STORED);
        call.onNext(toProto(stored));
        call.onCompleted();
      } catch (RuntimeException e) {
        fail(e);
      }
    }

    /** The client went away or cancelled: drop what was received. */
    synchronized void abort() {
      discard();
      finish(DatasetMetrics.Outcome.CANCELLED);
    }

    private void discard() {
      if (session != null) {
        session.abort();
        session = null;
      }
    }

    private void fail(RuntimeException e) {
      discard();
      finish(
          e instanceof TrainerdException.ResourceExhausted
              ? DatasetMetrics.Outcome.TOO_LARGE
              : e instanceof TrainerdException.InvalidArgument
                      || (e instanceof io.grpc.StatusRuntimeException sre
                          && sre.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT)
                  ? DatasetMetrics.Outcome.INVALID
                  : DatasetMetrics.Outcome.FAILED);
      call.onError(ErrorMapper.toStatusException(e));
    }

    private void finish(DatasetMetrics.Outcome outcome) {
      if (!finished) {
        finished = true;
        metrics.upload(outcome, bytes, Duration.between(started, clock.instant()));
      }
    }
  }

  private static DatasetOptions options(UploadDatasetMetadata meta) {
    if (meta.getTask() == TaskType.UNLABELLED && !meta.getLabelColumn().isEmpty()) {
      throw ErrorMapper.invalid("metadata.label_column", "must be empty for an UNLABELLED data set");
    }
    DatasetOptions options =
        DatasetOptions.csv(meta.getLabelColumn(), meta.getIdColumn())
            .withFormat(
                switch (meta.getFormat()) {
                  case CSV -> dev.trainerd.data.DatasetFormat.CSV;
                  case IDX -> dev.trainerd.data.DatasetFormat.IDX;
                  case IMAGE_FOLDER -> dev.trainerd.data.DatasetFormat.IMAGE_FOLDER;
                  case IMAGE_LIST -> dev.trainerd.data.DatasetFormat.IMAGE_LIST;
                  case CIFAR -> dev.trainerd.data.DatasetFormat.CIFAR;
                  case SYNTHETIC -> throw ErrorMapper.invalid(
                      "metadata.format", "SYNTHETIC data sets are made by CreateSyntheticDataset, not uploaded");
                  default -> dev.trainerd.data.DatasetFormat.AUTO;
                })
            .withSeparator(meta.getSeparator())
            .withTaskKind(
                switch (meta.getTask()) {
                  case CLASSIFICATION -> TaskKind.CLASSIFICATION;
                  case REGRESSION -> TaskKind.REGRESSION;
                  case UNLABELLED -> TaskKind.AUTO;
                  default -> TaskKind.AUTO;
                });
    if (meta.getMissingValuesCount() > 0) {
      options = options.withMissingTokens(meta.getMissingValuesList());
    }
    if (meta.getColumnTypesCount() > 0) {
      Map<String, dev.trainerd.data.ColumnType> overrides = new HashMap<>();
      for (Map.Entry<String, ColumnType> e : meta.getColumnTypesMap().entrySet()) {
        overrides.put(
            e.getKey(),
            switch (e.getValue()) {
              case NUMERIC -> dev.trainerd.data.ColumnType.NUMERIC;
              case CATEGORICAL -> dev.trainerd.data.ColumnType.CATEGORICAL;
              default -> throw ErrorMapper.invalid(
                  "metadata.column_types[" + e.getKey() + "]", "must be NUMERIC or CATEGORICAL");
            });
      }
      options = options.withTypeOverrides(overrides);
    }
    options = options.withImage(imageOptions(meta));
    List<FieldViolation> violations = new ArrayList<>();
    options.violations().forEach(v -> violations.add(v.under("metadata")));
    if (!violations.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(violations);
    }
    return options;
  }

  /** The image options of an upload: transforms, their seed and the CIFAR label choice. */
  private static ImageOptions imageOptions(UploadDatasetMetadata meta) {
    List<ImageTransform> transforms = new ArrayList<>();
    for (int i = 0; i < meta.getTransformsCount(); i++) {
      dev.trainerd.v1.ImageTransform t = meta.getTransforms(i);
      transforms.add(
          switch (t.getKindCase()) {
            case TO_TENSOR -> ImageTransform.toTensor();
            case NORMALIZE -> ImageTransform.normalize(t.getNormalize().getMeanList(), t.getNormalize().getStdList());
            case RESIZE -> ImageTransform.resize(t.getResize().getHeight(), t.getResize().getWidth());
            case CENTER_CROP -> ImageTransform.centerCrop(t.getCenterCrop().getHeight(), t.getCenterCrop().getWidth());
            case RANDOM_RESIZED_CROP -> {
              RandomResizedCropTransform c = t.getRandomResizedCrop();
              yield ImageTransform.randomResizedCrop(
                  c.getHeight(),
                  c.getWidth(),
                  c.hasMinScale() ? c.getMinScale() : 0.08,
                  c.hasMaxScale() ? c.getMaxScale() : 1,
                  c.hasMinRatio() ? c.getMinRatio() : 3.0 / 4,
                  c.hasMaxRatio() ? c.getMaxRatio() : 4.0 / 3);
            }
            case RANDOM_FLIP_LEFT_RIGHT -> ImageTransform.randomFlipLeftRight(
                t.getRandomFlipLeftRight().hasP() ? t.getRandomFlipLeftRight().getP() : 0.5);
            case CAST -> {
              String dtype = t.getCast().getDtype();
              if (!dtype.isEmpty() && !dtype.equals("float32")) {
                throw ErrorMapper.invalid(
                    "metadata.transforms[" + i + "].cast.dtype", "only float32 is supported (examples are float32)");
              }
              yield ImageTransform.castFloat32();
            }
            case KIND_NOT_SET -> throw ErrorMapper.invalid("metadata.transforms[" + i + "]", "must set one transform");
          });
    }
    CifarLabels cifar =
        switch (meta.getCifarLabels()) {
          case CIFAR10 -> CifarLabels.CIFAR10;
          case CIFAR100_FINE -> CifarLabels.CIFAR100_FINE;
          case CIFAR100_COARSE -> CifarLabels.CIFAR100_COARSE;
          default -> CifarLabels.AUTO;
        };
    return new ImageOptions(transforms, meta.getTransformSeed(), cifar);
  }

  @Override
  public void createSyntheticDataset(
      CreateSyntheticDatasetRequest request, StreamObserver<CreateSyntheticDatasetResponse> response) {
    Calls.unary(
        response,
        () -> {
          String name = Calls.displayName(request.getDisplayName(), "display_name");
          requireRoom(0);
          long seed = request.getSeed();
          String description;
          try {
            description = JsonFormat.printer().omittingInsignificantWhitespace().print(request.getSpec());
          } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
          }
          CreateSyntheticDatasetResponse.Builder out = CreateSyntheticDatasetResponse.newBuilder();
          dev.trainerd.v1.SyntheticSpec spec = request.getSpec();
          switch (spec.getKindCase()) {
            case LINEAR -> {
              LinearSyntheticSpec l = spec.getLinear();
              SyntheticSpec.Linear book = SyntheticSpec.Linear.book(seed);
              double[] w = l.getWeightsCount() == 0 ? book.weights() : l.getWeightsList().stream().mapToDouble(Double::doubleValue).toArray();
              SyntheticSpec.Linear s =
                  new SyntheticSpec.Linear(
                      w,
                      l.hasBias() ? l.getBias() : book.bias(),
                      l.hasNoise() ? l.getNoise() : book.noise(),
                      l.getExampleCount() == 0 ? book.count() : l.getExampleCount(),
                      seed);
              check(s.validate(), "linear");
              out.setTrainDataset(toProto(datasets.storeExamples(name, description, SyntheticData.linear(s))));
            }
            case POLYNOMIAL -> {
              PolynomialSyntheticSpec p = spec.getPolynomial();
              SyntheticSpec.Polynomial book = SyntheticSpec.Polynomial.book(false, seed);
              SyntheticSpec.Polynomial s =
                  new SyntheticSpec.Polynomial(
                      book.maxDegree(),
                      book.trueWeights(),
                      p.getTrainCount() == 0 ? book.trainCount() : p.getTrainCount(),
                      p.getTestCount() == 0 ? book.testCount() : p.getTestCount(),
                      p.hasNoise() ? p.getNoise() : book.noise(),
                      false,
                      seed);
              check(s.validate(), "polynomial");
              storeSplit(out, name, description, SyntheticData.polynomial(s));
            }
            case WEIGHT_DECAY -> {
              WeightDecaySyntheticSpec w = spec.getWeightDecay();
              SyntheticSpec.HighDimensionalLinear book = SyntheticSpec.HighDimensionalLinear.book(seed);
              SyntheticSpec.HighDimensionalLinear s =
                  new SyntheticSpec.HighDimensionalLinear(
                      w.getTrainCount() == 0 ? book.trainCount() : w.getTrainCount(),
                      w.getTestCount() == 0 ? book.testCount() : w.getTestCount(),
                      w.getInputCount() == 0 ? book.numInputs() : w.getInputCount(),
                      book.weight(),
                      book.bias(),
                      w.hasNoise() ? w.getNoise() : book.noise(),
                      seed);
              check(s.validate(), "weight_decay");
              storeSplit(out, name, description, SyntheticData.highDimensionalLinear(s));
            }
            case KIND_NOT_SET -> throw ErrorMapper.invalid("spec", "must set linear, polynomial or weight_decay");
          }
          return out.build();
        });
  }

  private void storeSplit(
      CreateSyntheticDatasetResponse.Builder out, String name, String description, SplitExamples split) {
    String base = name.isEmpty() ? "synthetic" : name;
    out.setTrainDataset(toProto(datasets.storeExamples(base + " (train)", description, split.train())));
    out.setTestDataset(toProto(datasets.storeExamples(base + " (test)", description, split.test())));
  }

  /** Re-roots the generator's violations at {@code spec.<kind>} with the API's field names. */
  private static void check(List<FieldViolation> violations, String kind) {
    if (violations.isEmpty()) {
      return;
    }
    List<FieldViolation> out = new ArrayList<>();
    for (FieldViolation v : violations) {
      String field = v.field();
      int dot = field.indexOf('.');
      String leaf = dot < 0 ? field : field.substring(dot + 1);
      leaf = leaf.replace("num_inputs", "input_count");
      if (leaf.equals("count")) {
        leaf = "example_count";
      }
      out.add(new FieldViolation("spec." + kind + "." + leaf, v.description()));
    }
    throw TrainerdException.InvalidArgument.of(out);
  }

  @Override
  public void getDataset(GetDatasetRequest request, StreamObserver<Dataset> response) {
    Calls.unary(response, () -> toProto(datasets.get(Names.DATASETS.parse(request.getName(), "name"))));
  }

  @Override
  public void listDatasets(ListDatasetsRequest request, StreamObserver<ListDatasetsResponse> response) {
    Calls.unary(
        response,
        () -> {
          Page<DatasetMetadata> page = datasets.list(request.getPageSize(), request.getPageToken());
          ListDatasetsResponse.Builder out = ListDatasetsResponse.newBuilder().setNextPageToken(page.nextPageToken());
          page.items().forEach(d -> out.addDatasets(toProto(d)));
          return out.build();
        });
  }

  @Override
  public void deleteDataset(DeleteDatasetRequest request, StreamObserver<DeleteDatasetResponse> response) {
    Calls.unary(
        response,
        () -> {
          datasets.delete(Names.DATASETS.parse(request.getName(), "name"));
          return DeleteDatasetResponse.getDefaultInstance();
        });
  }

  /** The API view of one transform step. */
  private static dev.trainerd.v1.ImageTransform toProto(ImageTransform t) {
    dev.trainerd.v1.ImageTransform.Builder out = dev.trainerd.v1.ImageTransform.newBuilder();
    switch (t.kind()) {
      case TO_TENSOR -> out.setToTensor(dev.trainerd.v1.ToTensorTransform.getDefaultInstance());
      case NORMALIZE -> out.setNormalize(
          dev.trainerd.v1.NormalizeTransform.newBuilder().addAllMean(t.mean()).addAllStd(t.std()));
      case RESIZE -> out.setResize(dev.trainerd.v1.ResizeTransform.newBuilder().setHeight(t.height()).setWidth(t.width()));
      case CENTER_CROP -> out.setCenterCrop(
          dev.trainerd.v1.CenterCropTransform.newBuilder().setHeight(t.height()).setWidth(t.width()));
      case RANDOM_RESIZED_CROP -> out.setRandomResizedCrop(
          RandomResizedCropTransform.newBuilder()
              .setHeight(t.height())
              .setWidth(t.width())
              .setMinScale(t.minScale())
              .setMaxScale(t.maxScale())
              .setMinRatio(t.minRatio())
              .setMaxRatio(t.maxRatio()));
      case RANDOM_FLIP_LEFT_RIGHT -> out.setRandomFlipLeftRight(
          dev.trainerd.v1.RandomFlipLeftRightTransform.newBuilder().setP(t.probability()));
      case CAST_FLOAT32 -> out.setCast(dev.trainerd.v1.CastTransform.newBuilder().setDtype("float32"));
    }
    return out.build();
  }

  /** The API view of stored metadata. */
  static Dataset toProto(DatasetMetadata m) {
    Dataset.Builder out =
        Dataset.newBuilder()
            .setName(Names.DATASETS.format(m.id()))
            .setDisplayName(m.displayName())
            .setFormat(DatasetFormat.valueOf(m.format() == dev.trainerd.data.DatasetFormat.AUTO ? "DATASET_FORMAT_UNSPECIFIED" : m.format().name()))
            .setSha256(m.sha256())
            .setSizeBytes(m.bytes())
            .setExampleCount(m.rows())
            .setFeatureCount(m.featureCount())
            .setTask(
                m.labelKind() == LabelKind.CLASSIFICATION
                    ? TaskType.CLASSIFICATION
                    : m.labelKind() == LabelKind.REGRESSION ? TaskType.REGRESSION : TaskType.UNLABELLED)
            .addAllClassNames(m.classNames())
            .setLabelColumn(m.labelColumn())
            .setIdColumn(m.idColumn())
            .setCreateTime(ResourceMapper.timestamp(m.createTime()));
    for (DatasetFile f : m.files()) {
      out.addFiles(
          dev.trainerd.v1.DatasetFile.newBuilder().setFileName(f.name()).setSizeBytes(f.bytes()).setSha256(f.sha256()));
    }
    for (ColumnSchema c : m.schema()) {
      out.addColumns(
          Column.newBuilder()
              .setName(c.name())
              .setType(c.type() == dev.trainerd.data.ColumnType.NUMERIC ? ColumnType.NUMERIC : ColumnType.CATEGORICAL)
              .addAllCategories(c.categories().size() > 1000 ? c.categories().subList(0, 1000) : c.categories())
              .setMissingCount(c.missing()));
    }
    ImageOptions image = m.options().image();
    if (image.isSet()) {
      image.transforms().forEach(t -> out.addTransforms(toProto(t)));
      out.setTransformSeed(image.seed());
      out.setCifarLabels(
          switch (image.cifarLabels()) {
            case CIFAR10 -> dev.trainerd.v1.CifarLabels.CIFAR10;
            case CIFAR100_FINE -> dev.trainerd.v1.CifarLabels.CIFAR100_FINE;
            case CIFAR100_COARSE -> dev.trainerd.v1.CifarLabels.CIFAR100_COARSE;
            case AUTO -> dev.trainerd.v1.CifarLabels.CIFAR_LABELS_UNSPECIFIED;
          });
    }
    if (m.format() == dev.trainerd.data.DatasetFormat.SYNTHETIC && !m.description().isEmpty()) {
      dev.trainerd.v1.SyntheticSpec.Builder spec = dev.trainerd.v1.SyntheticSpec.newBuilder();
      try {
        JsonFormat.parser().merge(m.description(), spec);
        out.setSynthetic(spec);
      } catch (InvalidProtocolBufferException e) {
        // Not written by this adapter; the metadata stays readable without it.
      }
    }
    return out.build();
  }
}
