# One Tollgate node. Build the jar first (./mvnw -q -DskipTests package); this image only packages it.
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /data tollgate && mkdir -p /data && chown tollgate /data
COPY web/target/tollgate.jar /app/tollgate.jar
USER tollgate
ENV PORT=8000 TOLLGATE_DATA_DIR=/data
EXPOSE 8000
# exec form: java is PID 1 and gets SIGTERM itself, so a stop is a graceful shutdown (in-flight calls finish).
# Shenandoah: G1's young pauses were most of a metered call's p99 below saturation (ADR 49). Give the container at
# least 2 GB, and spare CPU: a concurrent collector on cores that are always busy slows the calls instead.
# ExitOnOutOfMemoryError: after an OutOfMemoryError any thread may have died half-way (an event processor stays paused
# in its error state while the node still answers); exiting lets the container's restart policy bring up a whole node,
# and holds left open are released by their deadlines.
ENTRYPOINT ["java", "-XX:+UseShenandoahGC", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/tollgate.jar"]
