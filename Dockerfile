# syntax=docker/dockerfile:1
# mlserve: build with Maven, run on a JRE with the torch and ONNX Runtime native libraries
# already extracted, so the container starts offline.
#   docker build -t mlserve .
#   docker run --user "$(id -u):$(id -g)" -p 8500:8500 -p 8080:8080 \
#     -v "$PWD/models:/models" mlserve                                              # serve a store
#   docker run -p 8500:8500 -p 8080:8080 mlserve demo                                # the demo
#   docker exec <container> /opt/mlserve/bin/mlctl --server localhost:8500 list     # the registry CLI

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests -Dmlserve.cds.skip=true -pl server -am package \
 && mkdir -p /opt/mlserve/lib \
 && cp server/target/lib/*.jar /opt/mlserve/lib/ \
 && cp server/target/mlserve-server-*.jar /opt/mlserve/lib/
# Extract libtorch into the cache the runtime image ships (no download at start), and ONNX
# Runtime's natives out of its jar into /opt/mlserve/onnxruntime (loaded from there through
# -Donnxruntime.native.path instead of being extracted to a temp dir at every start); the
# engines command then starts both engines from what the image ships.
RUN arch="$(uname -m | sed -e s/x86_64/x64/ -e s/arm64/aarch64/)" \
 && mkdir -p /tmp/ort /opt/mlserve/onnxruntime && cd /tmp/ort \
 && jar xf "$(ls /opt/mlserve/lib/onnxruntime*.jar | head -n 1)" "ai/onnxruntime/native/linux-$arch" \
 && cp ai/onnxruntime/native/linux-$arch/* /opt/mlserve/onnxruntime/ && cd / && rm -rf /tmp/ort \
 && DJL_CACHE_DIR=/opt/mlserve/djl-cache java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true \
      -Donnxruntime.native.path=/opt/mlserve/onnxruntime \
      -cp '/opt/mlserve/lib/*' io.mlserve.server.cli.Main engines \
 && chmod -R a+rX /opt/mlserve

FROM eclipse-temurin:17-jre
# Runs as uid 10001 by default, and as any uid given with --user: a store bind-mounted from the
# host is written by its owner (docker run --user "$(id -u):$(id -g)"). For that, everything the
# server reads is readable by all (the extracted libtorch is only read at start), nothing it
# writes lives under HOME, and an unmounted /models is writable by any uid (sticky, like /tmp).
RUN groupadd --system --gid 10001 mlserve \
 && useradd --system --uid 10001 --gid mlserve --home-dir /opt/mlserve --shell /usr/sbin/nologin mlserve \
 && mkdir -p /models && chown mlserve:mlserve /models && chmod 1777 /models
COPY --from=build --chown=mlserve:mlserve /opt/mlserve /opt/mlserve
COPY --chown=mlserve:mlserve bin/ /opt/mlserve/bin/
COPY --chown=mlserve:mlserve examples/ /opt/mlserve/examples/
# The server's classpath includes the registry-admin jar, so mlctl runs from it too.
ENV MLSERVE_CLASSPATH="/opt/mlserve/lib/*" \
    MLCTL_CLASSPATH="/opt/mlserve/lib/*" \
    DJL_CACHE_DIR=/opt/mlserve/djl-cache \
    HOME=/tmp \
    MLSERVE_STORE=/models \
    MLSERVE_JAVA_OPTS="-XX:+UseContainerSupport -XX:MaxRAMPercentage=75 -Donnxruntime.native.path=/opt/mlserve/onnxruntime" \
    MLCTL_JAVA_OPTS="-Donnxruntime.native.path=/opt/mlserve/onnxruntime"
# Class-data sharing (about 1 s off each start): the classes a demo start loads, archived by this
# image's own JVM on its own classpath (an archive only serves the JVM and jars that made it).
# Never fails the build: without an archive the launcher starts without one.
RUN java -cp "$MLSERVE_CLASSPATH" io.mlserve.server.cli.ClassDataArchive \
      /opt/mlserve/mlserve.jsa "$MLSERVE_CLASSPATH" /opt/mlserve
ENV MLSERVE_CDS_ARCHIVE=/opt/mlserve/mlserve.jsa
VOLUME ["/models"]
EXPOSE 8500 8080
USER mlserve
WORKDIR /opt/mlserve
# grpc.health.v1 for the server: SERVING once the initial models are loaded and warmed.
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=3 \
  CMD ["/opt/mlserve/bin/mlserve", "health", "--target", "localhost:8500"]
ENTRYPOINT ["/opt/mlserve/bin/mlserve"]
CMD ["serve", "--store", "/models"]
