package io.mlserve.loadtest;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.mlserve.proto.inference.InferParameter;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.SystemSharedMemoryRegisterRequest;
import io.mlserve.proto.inference.SystemSharedMemoryUnregisterRequest;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * gRPC ModelInfer with a large tensor passed as raw bytes versus through Triton's system shared
 * memory (bench/shm.sh runs it against a local demo server). Closed loop: {@code concurrency}
 * threads each send one request at a time for {@code seconds}; the two modes alternate for
 * {@code rounds} rounds. Raw: the request carries {@code raw_input_contents}, the answer
 * {@code raw_output_contents}, copied out. Shared memory: each thread has one /dev/shm object
 * holding its input and output regions, writes the input into it before each request and copies
 * the output out after it (so both modes move the same bytes in and out of the client).
 * Prints one markdown row per mode and round: requests/s, p50/p99 latency, and the server's and
 * the client's CPU time per request (server: /proc/PID/stat).
 *
 * <p>Usage: {@code ShmBench HOST PORT SERVER_PID ROWS SECONDS CONCURRENCY ROUNDS
 * WARMUP_SECONDS} (each mode is warmed up that long first). Not
 * thread-safe; run once from {@code main}.
 */
public final class ShmBench {
  private static final String MODEL = "curve_forecaster";
  private static final int FEATURES = 24;

  private ShmBench() {}

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    long serverPid = Long.parseLong(args[2]);
    int rows = Integer.parseInt(args[3]);
    int seconds = Integer.parseInt(args[4]);
    int concurrency = Integer.parseInt(args[5]);
    int rounds = Integer.parseInt(args[6]);
    int warmup = Integer.parseInt(args[7]);
    int bytes = rows * FEATURES * 4;
    ByteBuffer in = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    Random random = new Random(1);
    for (int i = 0; i < rows * FEATURES; i++) {
      in.putFloat(45 + random.nextFloat() * 30);
    }
    byte[] input = in.array();
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext()
        .maxInboundMessageSize(256 << 20).build();
    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub =
        GRPCInferenceServiceGrpc.newBlockingStub(channel);
    List<Path> objects = new ArrayList<>();
    List<MappedByteBuffer> maps = new ArrayList<>();
    try {
      for (int t = 0; t < concurrency; t++) {
        Path p = Path.of("/dev/shm/mlserve-bench-" + ProcessHandle.current().pid() + "-" + t);
        objects.add(p);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          ch.truncate(2L * bytes);
          ch.write(ByteBuffer.wrap(new byte[1]), 2L * bytes - 1);
          maps.add(ch.map(FileChannel.MapMode.READ_WRITE, 0, 2L * bytes));
        }
        String key = "/" + p.getFileName();
        stub.systemSharedMemoryRegister(SystemSharedMemoryRegisterRequest.newBuilder()
            .setName("bench-in-" + t).setKey(key).setOffset(0).setByteSize(bytes).build());
        stub.systemSharedMemoryRegister(SystemSharedMemoryRegisterRequest.newBuilder()
            .setName("bench-out-" + t).setKey(key).setOffset(bytes).setByteSize(bytes).build());
      }
      // The raw answer is the reference the shared-memory answer must equal.
      byte[] rawOut = stub.modelInfer(raw(rows, input)).getRawOutputContents(0).toByteArray();
      maps.get(0).put(0, input);
      stub.modelInfer(shm(rows, 0, bytes));
      byte[] shmOut = new byte[bytes];
      maps.get(0).get(bytes, shmOut);
      if (!Arrays.equals(rawOut, shmOut)) {
        throw new IllegalStateException("the shared-memory output differs from the raw one");
      }
      System.out.println("| round | mode | req/s | p50 ms | p99 ms | server CPU ms/req |"
          + " client CPU ms/req |");
      System.out.println("|---:|---|---:|---:|---:|---:|---:|");
      run(stub, "warm-up raw", 0, rows, input, maps, warmup, concurrency,
          serverPid, false, bytes);
      run(stub, "warm-up shm", 0, rows, input, maps, warmup, concurrency,
          serverPid, true, bytes);
      for (int r = 1; r <= rounds; r++) {
        run(stub, "raw bytes", r, rows, input, maps, seconds, concurrency, serverPid, false,
            bytes);
        run(stub, "system shared memory", r, rows, input, maps, seconds, concurrency, serverPid,
            true, bytes);
      }
    } finally {
      try {
        stub.systemSharedMemoryUnregister(SystemSharedMemoryUnregisterRequest.getDefaultInstance());
      } finally {
        for (Path p : objects) {
          Files.deleteIfExists(p);
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static InferInputTensor.Builder curve(int rows) {
    return InferInputTensor.newBuilder().setName("curve").setDatatype("FP32").addShape(rows)
        .addShape(FEATURES);
  }

  private static ModelInferRequest raw(int rows, byte[] input) {
    return ModelInferRequest.newBuilder().setModelName(MODEL).addInputs(curve(rows))
        .addRawInputContents(ByteString.copyFrom(input)).build();
  }

  private static InferParameter p(String s) {
    return InferParameter.newBuilder().setStringParam(s).build();
  }

  private static InferParameter p(long v) {
    return InferParameter.newBuilder().setInt64Param(v).build();
  }

  private static ModelInferRequest shm(int rows, int thread, int bytes) {
    return ModelInferRequest.newBuilder().setModelName(MODEL)
        .addInputs(curve(rows).putParameters("shared_memory_region", p("bench-in-" + thread))
            .putParameters("shared_memory_byte_size", p(bytes)))
        .addOutputs(InferRequestedOutputTensor.newBuilder().setName("forecast")
            .putParameters("shared_memory_region", p("bench-out-" + thread))
            .putParameters("shared_memory_byte_size", p(bytes)))
        .build();
  }

  private static void run(GRPCInferenceServiceBlockingStub stub, String mode, int round,
      int rows, byte[] input, List<MappedByteBuffer> maps, int seconds, int concurrency,
      long serverPid, boolean shm, int bytes) throws Exception {
    Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    long[] counts = new long[concurrency];
    long serverCpu0 = serverCpuNanos(serverPid);
    long clientCpu0 = clientCpuNanos();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        ModelInferRequest rawReq = raw(rows, input);
        ModelInferRequest shmReq = shm(rows, id, bytes);
        MappedByteBuffer map = maps.get(id);
        byte[] out = new byte[bytes];
        Histogram mine = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        while (System.nanoTime() < end) {
          long start = System.nanoTime();
          if (shm) {
            map.put(0, input);
            stub.modelInfer(shmReq);
            map.get(bytes, out);
          } else {
            ModelInferResponse r = stub.modelInfer(rawReq);
            r.getRawOutputContents(0).copyTo(out, 0);
          }
          mine.recordValue(System.nanoTime() - start);
          counts[id]++;
        }
        synchronized (latency) {
          latency.add(mine);
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    long n = Arrays.stream(counts).sum();
    double serverMs = (serverCpuNanos(serverPid) - serverCpu0) / 1e6 / n;
    double clientMs = (clientCpuNanos() - clientCpu0) / 1e6 / n;
    System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.2f | %.2f | %.3f | %.3f |%n",
        round == 0 ? "-" : Integer.toString(round), mode, n / (double) seconds,
        latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
        serverMs, clientMs);
  }

  /** The server's user + system CPU time from /proc/PID/stat (clock ticks of 10 ms). */
  private static long serverCpuNanos(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    return ticks * 10_000_000L;
  }

  private static long clientCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
