package io.factstream.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import io.factstream.kafka.clients.KafkaConnection;

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

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final LocalProcess process;

    public LocalKafka(Path dataDir, int port, int controllerPort) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.port = port;
        this.controllerPort = controllerPort;
        this.process = new LocalProcess("broker", this.dataDir.resolve("kafka.pid"), this.dataDir.resolve("kafka.out"));
    }

    /** A broker on ports that are free now: for tests and benchmarks that run next to anything else. */
    public static LocalKafka onFreePorts(Path dataDir) throws IOException {
        return new LocalKafka(dataDir, LocalProcess.freePort(), LocalProcess.freePort());
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
        LocalProcess.requireFree(port, controllerPort);
        try {
            Files.createDirectories(dataDir);
            Path properties = writeConfiguration();
            if (!Files.exists(logDir().resolve("meta.properties"))) {
                format(properties, timeout);
            }
            Process broker = process.startJava(System.getProperty("java.class.path"), jvmOptions(), "kafka.Kafka",
                    List.of(properties.toString()), dataDir);
            process.awaitReady(broker, this::answersAdminRequests, timeout);
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
        process.stop(timeout);
        return status();
    }

    /** Kills the broker with SIGKILL, as a crash would; returns the pid it had. */
    public Optional<Long> kill(Duration timeout) throws LocalPlatformException {
        return process.kill(timeout);
    }

    /** Whether the broker process of this data directory is alive and answering. */
    public Status status() {
        Optional<ProcessHandle> broker = process.handle();
        if (broker.isEmpty()) {
            return new Status(State.STOPPED, Optional.empty(), bootstrapServers());
        }
        State state = LocalProcess.answers(port) ? State.RUNNING : State.NOT_RESPONDING;
        return new Status(state, Optional.of(broker.get().pid()), bootstrapServers());
    }

    /** The file the broker writes its output to. */
    public Path outputFile() {
        return process.outputFile();
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
        LocalProcess.copyResource("kafka-log4j2.properties", log4jFile());
        return properties;
    }

    private void format(Path properties, Duration timeout) throws IOException, LocalPlatformException {
        ProcessBuilder builder = LocalProcess.java(System.getProperty("java.class.path"), jvmOptions(),
                        "kafka.tools.StorageTool",
                        List.of("format", "-t", Uuid.randomUuid().toString(), "-c", properties.toString()))
                .directory(dataDir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile().toFile()))
                .redirectErrorStream(true);
        Process format = builder.start();
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
                    + LocalProcess.lastLine(outputFile()));
        }
    }

    private boolean answersAdminRequests() {
        if (!LocalProcess.answers(port)) {
            return false;
        }
        Map<String, Object> config = Map.of(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        // The broker this class started, as it configured it: no client properties of another cluster.
        try (Admin admin = new KafkaConnection(bootstrapServers(), Map.of()).admin(config)) {
            admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
            return true;
        } catch (Exception notYet) {
            return false; // the listener is up before the broker has joined its controller: ask again
        }
    }

    /** The broker's JVM options; its classpath is this JVM's, which holds the Kafka jars. */
    private List<String> jvmOptions() {
        return List.of("-Xmx512m", "-Dlog4j2.configurationFile=" + log4jFile(), "-Dkafka.logs.dir=" + dataDir);
    }

    private Path logDir() {
        return dataDir.resolve("kafka-logs");
    }

    private Path log4jFile() {
        return dataDir.resolve("log4j2.properties");
    }
}
