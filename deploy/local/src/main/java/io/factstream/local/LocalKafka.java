package io.factstream.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node Kafka broker (KRaft, broker and controller combined) running as its own process for local use,
 * started from the Kafka jars that Maven resolved for this module: no download, no install.
 *
 * <p>Everything lives in the data directory: {@code server.properties}, the log4j configuration, the broker's logs
 * ({@code kafka-logs/}), its output ({@code kafka.out}) and {@code kafka.pid}, which is how {@link #stop} and
 * {@link #status} find the process later, from another JVM.
 */
public final class LocalKafka {

    /** What {@link #status()} found. */
    public enum State { RUNNING, NOT_RESPONDING, STOPPED }

    /** The broker's state; {@code pid} is present unless stopped. */
    public record Status(State state, Optional<Long> pid, String bootstrapServers) {
        @Override
        public String toString() {
            return switch (state) {
                case RUNNING -> "running, pid " + pid.orElseThrow() + ", bootstrap servers " + bootstrapServers;
                case NOT_RESPONDING -> "process " + pid.orElseThrow() + " is alive but " + bootstrapServers
                        + " does not answer";
                case STOPPED -> "stopped";
            };
        }
    }

    private static final Duration POLL = Duration.ofMillis(200);

    private final Path dataDir;
    private final int port;
    private final int controllerPort;

    public LocalKafka(Path dataDir, int port, int controllerPort) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.port = port;
        this.controllerPort = controllerPort;
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /**
     * Starts the broker unless it already runs, and waits until it answers admin requests.
     *
     * @return the status once running
     * @throws LocalPlatformException with a one-line cause if a port is taken, formatting fails, the process exits,
     *                                or it does not answer within {@code timeout}
     */
    public Status start(Duration timeout) throws LocalPlatformException {
        Status current = status();
        if (current.state() == State.RUNNING) {
            return current;
        }
        if (current.state() == State.NOT_RESPONDING) {
            throw new LocalPlatformException("a broker process (pid " + current.pid().orElseThrow()
                    + ") exists but does not answer; stop it first");
        }
        for (int p : List.of(port, controllerPort)) {
            if (answers(p)) {
                throw new LocalPlatformException("port " + p + " is already in use by another process");
            }
        }
        try {
            Files.createDirectories(dataDir);
            Path properties = writeConfiguration();
            if (!Files.exists(logDir().resolve("meta.properties"))) {
                format(properties, timeout);
            }
            Process broker = java("kafka.Kafka", properties.toString())
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile().toFile()))
                    .redirectErrorStream(true)
                    .start();
            Files.writeString(pidFile(), Long.toString(broker.pid()));
            awaitReady(broker, timeout);
            return status();
        } catch (IOException e) {
            throw new LocalPlatformException("cannot start the broker: " + e.getMessage(), e);
        }
    }

    /**
     * Stops the broker with SIGTERM (a controlled shutdown) and waits for the process to end; kills it if it is
     * still there after {@code timeout}. Does nothing when it is not running.
     */
    public Status stop(Duration timeout) throws LocalPlatformException {
        Optional<ProcessHandle> process = brokerProcess();
        if (process.isPresent()) {
            ProcessHandle handle = process.get();
            handle.destroy();
            try {
                handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                handle.destroyForcibly();
                handle.onExit().join();
            } catch (ExecutionException e) {
                throw new LocalPlatformException("cannot wait for the broker to stop: " + e.getCause(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalPlatformException("interrupted while stopping the broker", e);
            }
        }
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            throw new LocalPlatformException("cannot remove " + pidFile() + ": " + e.getMessage(), e);
        }
        return status();
    }

    /** Whether the broker process of this data directory is alive and answering. */
    public Status status() {
        Optional<ProcessHandle> process = brokerProcess();
        if (process.isEmpty()) {
            return new Status(State.STOPPED, Optional.empty(), bootstrapServers());
        }
        State state = answers(port) ? State.RUNNING : State.NOT_RESPONDING;
        return new Status(state, Optional.of(process.get().pid()), bootstrapServers());
    }

    /** The file the broker writes its output to. */
    public Path outputFile() {
        return dataDir.resolve("kafka.out");
    }

    /** The broker process recorded in the pid file, if it is alive and really this data directory's broker. */
    private Optional<ProcessHandle> brokerProcess() {
        if (!Files.exists(pidFile())) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile()).strip());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        String properties = dataDir.resolve("server.properties").toString();
        // A stale pid file may name a process that reused the pid: only claim our own broker.
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains("kafka.Kafka") && c.contains(properties))
                        .orElse(false));
    }

    private Path writeConfiguration() throws IOException {
        String config = String.join("\n",
                "# Written by factstream's LocalKafka; rewritten at every start.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@localhost:" + controllerPort,
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logDir(),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "");
        Path properties = dataDir.resolve("server.properties");
        Files.writeString(properties, config, StandardCharsets.UTF_8);
        try (InputStream log4j = LocalKafka.class.getResourceAsStream("kafka-log4j2.properties")) {
            if (log4j == null) {
                throw new IOException("kafka-log4j2.properties is missing from the classpath");
            }
            Files.copy(log4j, log4jFile(), StandardCopyOption.REPLACE_EXISTING);
        }
        return properties;
    }

    private void format(Path properties, Duration timeout) throws IOException, LocalPlatformException {
        Process format = java("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                "-c", properties.toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile().toFile()))
                .redirectErrorStream(true)
                .start();
        try {
            if (!format.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                format.destroyForcibly();
                throw new LocalPlatformException("formatting the storage took longer than " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalPlatformException("interrupted while formatting the storage", e);
        }
        if (format.exitValue() != 0) {
            throw new LocalPlatformException("formatting the storage failed (exit " + format.exitValue() + "): "
                    + lastLine(outputFile()));
        }
    }

    private void awaitReady(Process broker, Duration timeout) throws LocalPlatformException {
        Instant deadline = Instant.now().plus(timeout);
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        while (Instant.now().isBefore(deadline)) {
            if (!broker.isAlive()) {
                throw new LocalPlatformException("the broker exited with code " + broker.exitValue() + ": "
                        + lastLine(outputFile()) + " (see " + outputFile() + ")");
            }
            if (answers(port)) {
                try (Admin admin = Admin.create(config)) {
                    admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    // the listener is up before the broker has joined its controller: ask again
                }
            }
            pause();
        }
        throw new LocalPlatformException("the broker did not answer within " + timeout + " (see " + outputFile()
                + ")");
    }

    /**
     * A JVM on this JVM's classpath, which holds the Kafka jars. The classpath goes through the environment: the
     * command line stays short enough for {@link ProcessHandle.Info#commandLine()} (4 KiB on Linux) to show the
     * main class and the properties file that identify the broker.
     */
    private ProcessBuilder java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dlog4j2.configurationFile=" + log4jFile(),
                "-Dkafka.logs.dir=" + dataDir,
                mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dataDir.toFile());
        builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        return builder;
    }

    private Path logDir() {
        return dataDir.resolve("kafka-logs");
    }

    private Path pidFile() {
        return dataDir.resolve("kafka.pid");
    }

    private Path log4jFile() {
        return dataDir.resolve("log4j2.properties");
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pause() throws LocalPlatformException {
        try {
            Thread.sleep(POLL.toMillis()); // back-off between readiness polls of another process
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalPlatformException("interrupted while waiting for the broker", e);
        }
    }
}
