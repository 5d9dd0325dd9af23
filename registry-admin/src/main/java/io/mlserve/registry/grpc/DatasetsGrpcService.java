package io.mlserve.registry.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.mlserve.dataset.DatasetExistsException;
import io.mlserve.dataset.DatasetFormat;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.dataset.DatasetTooLargeException;
import io.mlserve.dataset.DatasetUpload;
import io.mlserve.proto.admin.v1.Dataset;
import io.mlserve.proto.admin.v1.DatasetChunk;
import io.mlserve.proto.admin.v1.DatasetHeader;
import io.mlserve.proto.admin.v1.DatasetsGrpc;
import io.mlserve.proto.admin.v1.GetDatasetRequest;
import io.mlserve.proto.admin.v1.ListDatasetsRequest;
import io.mlserve.proto.admin.v1.ListDatasetsResponse;
import java.util.function.Supplier;

/**
 * The admin gRPC {@code mlserve.admin.v1.Datasets} service over a {@link DatasetStore}. An
 * {@code AddDataset} upload writes its bytes straight into the store's hidden temp directory
 * (bounded by the store's size limit, RESOURCE_EXHAUSTED past it) and commits when the client
 * completes; a cancelled or failed upload is removed at once. Errors go through
 * {@link AdminErrors}, except an existing name (ALREADY_EXISTS). Mutations are guarded by
 * {@link AdminAuth}. Thread-safe (each upload has its own observer, which gRPC calls serially).
 */
final class DatasetsGrpcService extends DatasetsGrpc.DatasetsImplBase {
  private final DatasetStore datasets;

  DatasetsGrpcService(DatasetStore datasets) {
    this.datasets = datasets;
  }

  @Override
  public StreamObserver<DatasetChunk> addDataset(StreamObserver<Dataset> out) {
    String actor = AdminAuth.caller();
    return new StreamObserver<>() {
      private DatasetUpload upload;
      private DatasetHeader header;
      private boolean failed;

      @Override
      public void onNext(DatasetChunk c) {
        if (failed) {
          return;
        }
        try {
          if (c.hasHeader()) {
            if (header != null) {
              throw new IllegalArgumentException("the header must be sent once, first");
            }
            header = c.getHeader();
            upload = datasets.begin(header.getModel(), header.getName(),
                DatasetFormat.parse(header.getFormat()), header.getDescription(), actor);
            return;
          }
          if (upload == null) {
            throw new IllegalArgumentException("the first message must be the header");
          }
          byte[] bytes = c.getData().toByteArray();
          upload.write(bytes, 0, bytes.length);
        } catch (RuntimeException e) {
          fail(e);
        }
      }

      @Override
      public void onError(Throwable t) { // cancelled, or the client failed
        failed = true;
        if (upload != null) {
          upload.abort();
        }
      }

      @Override
      public void onCompleted() {
        if (failed) {
          return;
        }
        if (upload == null) {
          fail(new IllegalArgumentException("no header received"));
          return;
        }
        Dataset d;
        try {
          d = DatasetProtos.dataset(upload.commit(header.getSha256()));
        } catch (RuntimeException e) {
          fail(e);
          return;
        }
        out.onNext(d);
        out.onCompleted();
      }

      private void fail(RuntimeException e) {
        failed = true;
        if (upload != null) {
          upload.abort();
        }
        out.onError(status(e));
      }
    };
  }

  @Override
  public void listDatasets(ListDatasetsRequest r, StreamObserver<ListDatasetsResponse> out) {
    unary(out, () -> ListDatasetsResponse.newBuilder().addAllDatasets(
        datasets.list(r.getModel()).stream().map(DatasetProtos::dataset).toList()).build());
  }

  @Override
  public void getDataset(GetDatasetRequest r, StreamObserver<Dataset> out) {
    unary(out, () -> DatasetProtos.dataset(datasets.get(r.getModel(), r.getName())));
  }

  private static <T> void unary(StreamObserver<T> out, Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      out.onError(status(e));
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }

  static StatusRuntimeException status(Throwable e) {
    if (e instanceof DatasetExistsException) {
      return Status.ALREADY_EXISTS.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof DatasetTooLargeException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException();
    }
    return AdminErrors.toStatus(e);
  }
}
