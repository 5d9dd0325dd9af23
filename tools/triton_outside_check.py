"""Calls every GRPCInferenceService method of Triton's published proto, and the REST extension
routes, against a running server; prints one line per call. Run through triton-outside-check.sh,
which generates the stubs this imports from Triton's own .proto files."""
import json
import os
import struct
import sys
import urllib.error
import urllib.request

import grpc
import grpc_service_pb2 as pb
import grpc_service_pb2_grpc as pb_grpc

BASE = ["ServerLive", "ServerReady", "ModelReady", "ServerMetadata", "ModelMetadata",
        "ModelInfer"]
TIMEOUT = 10
results = []


def report(method, ok, detail):
    results.append((method, ok))
    print(f"{'OK  ' if ok else 'FAIL'} {method:<30} {detail}"[:300], flush=True)


def call(method, fn, summary=lambda r: ""):
    try:
        r = fn()
        report(method, True, summary(r))
        return r
    except grpc.RpcError as e:
        report(method, False, f"{e.code().name}: {e.details()}")
    except Exception as e:  # a stub-side decoding problem is a failure too
        report(method, False, f"{type(e).__name__}: {e}")
    return None


def refused(method, fn, code):
    """Calls fn expecting the server to refuse it with status `code` (as Triton does)."""
    try:
        fn()
        report(method, False, f"accepted; expected {code.name}")
    except grpc.RpcError as e:
        report(method, e.code() == code, f"{e.code().name}: {e.details()}"
               + ("" if e.code() == code else f" (expected {code.name})"))


def infer_request(meta, model, request_id):
    req = pb.ModelInferRequest(model_name=model, id=request_id)
    for t in meta.inputs:
        shape = [1 if d < 0 else d for d in t.shape]
        n = 1
        for d in shape:
            n *= d
        req.inputs.add(name=t.name, datatype=t.datatype, shape=shape)
        if t.datatype == "FP32":
            req.raw_input_contents.append(struct.pack(f"<{n}f", *([0.5] * n)))
        elif t.datatype == "FP64":
            req.raw_input_contents.append(struct.pack(f"<{n}d", *([0.5] * n)))
        elif t.datatype == "INT64":
            req.raw_input_contents.append(struct.pack(f"<{n}q", *([1] * n)))
        else:
            raise ValueError(f"input {t.name}: datatype {t.datatype} not handled by this check")
    return req


def rest(path, body=None):
    req = urllib.request.Request(HTTP + path, data=body,
                                 headers={"Content-Type": "application/json"} if body else {})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")[:200]
    except OSError as e:
        return None, str(e)


def main():
    global HTTP
    target, HTTP, model = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3]
    stub = pb_grpc.GRPCInferenceServiceStub(grpc.insecure_channel(target))
    t = dict(timeout=TIMEOUT)

    call("ServerLive", lambda: stub.ServerLive(pb.ServerLiveRequest(), **t),
         lambda r: f"live={r.live}")
    call("ServerReady", lambda: stub.ServerReady(pb.ServerReadyRequest(), **t),
         lambda r: f"ready={r.ready}")
    md = call("ServerMetadata", lambda: stub.ServerMetadata(pb.ServerMetadataRequest(), **t),
              lambda r: f"{r.name} {r.version} extensions={list(r.extensions)}")
    if not model:
        try:
            stats = stub.ModelStatistics(pb.ModelStatisticsRequest(), **t)
            model = stats.model_stats[0].name if stats.model_stats else ""
        except grpc.RpcError:
            pass
        model = model or "curve_forecaster"
    call("ModelReady", lambda: stub.ModelReady(pb.ModelReadyRequest(name=model), **t),
         lambda r: f"{model} ready={r.ready}")
    meta = call("ModelMetadata",
                lambda: stub.ModelMetadata(pb.ModelMetadataRequest(name=model), **t),
                lambda r: f"{r.name} versions={list(r.versions)} platform={r.platform} "
                          f"inputs={[(i.name, i.datatype, list(i.shape)) for i in r.inputs]}")
    if meta is not None:
        call("ModelInfer", lambda: stub.ModelInfer(infer_request(meta, model, "one"), **t),
             lambda r: f"id={r.id} version={r.model_version} outputs="
                       f"{[(o.name, o.datatype, list(o.shape)) for o in r.outputs]}")
        reqs = [infer_request(meta, model, f"s{i}") for i in range(3)]
        call("ModelStreamInfer", lambda: list(stub.ModelStreamInfer(iter(reqs), **t)),
             lambda rs: f"{len(rs)} responses, ids={[r.infer_response.id for r in rs]} "
                        f"errors={[r.error_message for r in rs if r.error_message]}")
    else:
        report("ModelInfer", False, "skipped: no metadata")
        report("ModelStreamInfer", False, "skipped: no metadata")
    call("ModelConfig", lambda: stub.ModelConfig(pb.ModelConfigRequest(name=model), **t),
         lambda r: f"platform={r.config.platform} max_batch_size={r.config.max_batch_size} "
                   f"inputs={[(i.name, pb.model__config__pb2.DataType.Name(i.data_type), list(i.dims)) for i in r.config.input]} "
                   f"dynamic_batching={r.config.HasField('dynamic_batching')} "
                   f"instances={[(g.count, g.Kind.Name(g.kind)) for g in r.config.instance_group]}")
    call("ModelStatistics",
         lambda: stub.ModelStatistics(pb.ModelStatisticsRequest(name=model), **t),
         lambda r: "; ".join(
             f"{s.name}:{s.version} inferences={s.inference_count} executions="
             f"{s.execution_count} success={s.inference_stats.success.count} "
             f"compute_infer_ns={s.inference_stats.compute_infer.ns} "
             f"batch_sizes={[b.batch_size for b in s.batch_stats]}" for s in r.model_stats))
    call("RepositoryIndex", lambda: stub.RepositoryIndex(pb.RepositoryIndexRequest(), **t),
         lambda r: f"{[(m.name, m.version, m.state) for m in r.models][:6]}")
    call("RepositoryModelLoad",
         lambda: stub.RepositoryModelLoad(pb.RepositoryModelLoadRequest(model_name=model), **t),
         lambda r: f"loaded {model}")
    refused("RepositoryModelUnload",
            lambda: stub.RepositoryModelUnload(
                pb.RepositoryModelUnloadRequest(model_name="no_such_model_outside_check"), **t),
            grpc.StatusCode.NOT_FOUND)
    shm = "/dev/shm/triton_outside_check"
    with open(shm, "wb") as f:
        f.write(bytes(4096))
    try:
        call("SystemSharedMemoryRegister",
             lambda: stub.SystemSharedMemoryRegister(pb.SystemSharedMemoryRegisterRequest(
                 name="check", key="/triton_outside_check", offset=0, byte_size=4096), **t),
             lambda r: "registered /triton_outside_check (4096 bytes)")
        call("SystemSharedMemoryStatus",
             lambda: stub.SystemSharedMemoryStatus(pb.SystemSharedMemoryStatusRequest(), **t),
             lambda r: f"{ {k: (v.key, v.byte_size) for k, v in r.regions.items()} }")
        call("SystemSharedMemoryUnregister",
             lambda: stub.SystemSharedMemoryUnregister(
                 pb.SystemSharedMemoryUnregisterRequest(name="check"), **t))
    finally:
        os.remove(shm)
    call("CudaSharedMemoryStatus",
         lambda: stub.CudaSharedMemoryStatus(pb.CudaSharedMemoryStatusRequest(), **t),
         lambda r: f"{len(r.regions)} regions")
    call("CudaSharedMemoryRegister",
         lambda: stub.CudaSharedMemoryRegister(pb.CudaSharedMemoryRegisterRequest(
             name="cuda_check", raw_handle=b"\0" * 64, device_id=0, byte_size=64), **t),
         lambda r: "registered a bogus handle (expected an error)")
    call("CudaSharedMemoryUnregister",
         lambda: stub.CudaSharedMemoryUnregister(
             pb.CudaSharedMemoryUnregisterRequest(name="cuda_check"), **t))
    call("TraceSetting", lambda: stub.TraceSetting(pb.TraceSettingRequest(), **t),
         lambda r: f"{ {k: list(v.value) for k, v in r.settings.items()} }")
    call("LogSettings", lambda: stub.LogSettings(pb.LogSettingsRequest(), **t),
         lambda r: f"{sorted(r.settings.keys())}")

    # Triton's REST routes: the repository index is a POST (extension_model_repository.md).
    for method, path in [("GET", "/v2"), ("GET", f"/v2/models/{model}/config"),
                         ("GET", f"/v2/models/{model}/stats"), ("GET", "/v2/models/stats"),
                         ("POST", "/v2/repository/index"),
                         ("GET", "/v2/systemsharedmemory/status"),
                         ("GET", "/v2/cudasharedmemory/status")]:
        status, body = rest(path, b"{}" if method == "POST" else None)
        shown = json.dumps(body)[:160] if not isinstance(body, str) else body
        report(f"{method} {path}", status == 200, f"{status} {shown}")

    failed_base = [m for m, ok in results if m in BASE and not ok]
    worked = sum(1 for _, ok in results if ok)
    print(f"{worked} worked, {len(results) - worked} did not "
          f"(base methods failing: {failed_base or 'none'})")
    if md is not None:
        print(f"server advertises: {list(md.extensions)}")
    return 1 if failed_base else 0


if __name__ == "__main__":
    sys.exit(main())
