package dev.tollgate.web.cluster;

import dev.tollgate.web.e2e.Http;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Tollgate process started from {@code web/target/tollgate.jar} with environment variables, the way an operator
 * starts a node. {@link #kill()} is a crash (SIGKILL): no shutdown hook, no graceful anything.
 */
public final class Node implements AutoCloseable {
    public final String name;
    public final int port;
    public final Http http;
    private final Process process;
    private final Path log;

    private Node(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
        this.http = new Http(port);
    }

    public static Node start(String name, Map<String, String> environment, List<String> arguments) {
        return start(name, environment, List.of("-Xmx512m"), arguments);
    }

    /** As {@link #start(String, Map, List)}, with the JVM's options given: an operator's own. */
    public static Node start(String name, Map<String, String> environment, List<String> jvmOptions,
                             List<String> arguments) {
        String jar = System.getProperty("tollgate.jar", "target/tollgate.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("No jar at " + jar + ": run through `./mvnw verify` (it packages first)");
        }
        try {
            int port = freePort();
            Path log = Files.createTempFile("tollgate-" + name + "-", ".log");
            List<String> command = new ArrayList<>(List.of(javaBinary()));
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar));
            command.addAll(arguments);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            builder.environment().put("PORT", Integer.toString(port));
            return new Node(name, port, builder.start(), log);
        } catch (IOException e) {
            throw new IllegalStateException("could not start node " + name, e);
        }
    }

    /** Waits (bounded) until the node answers its health check. */
    public Node awaitReady() throws InterruptedException {
        for (int i = 0; i < 240; i++) {
            if (!process.isAlive()) {
                throw new IllegalStateException("node " + name + " exited at start:\n" + tail());
            }
            try {
                if (http.get("/actuator/health", null).status() == 200) {
                    return this;
                }
            } catch (IllegalStateException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("node " + name + " not ready after 120 s:\n" + tail());
    }

    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** The process's id, to read its CPU time from /proc. */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Axon names this node's token claims {@code <pid>@<host>}: the owner that /api/admin/projections reports. */
    public boolean owns(String owner) {
        return owner != null && owner.startsWith(process.pid() + "@");
    }

    /** Everything the node has logged so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    /** This JVM's own java, or the one {@code -Dtollgate.java} names (a benchmark comparing runtimes). */
    private static String javaBinary() {
        return System.getProperty("tollgate.java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
