package io.factstream.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import io.factstream.catalog.access.AccessCatalog;
import io.factstream.kafka.clients.KafkaClientProperties;
import io.factstream.kafka.clients.KafkaConnection;

/**
 * A single-node Kafka broker (KRaft, broker and controller combined) running as its own process for local use,
 * started from the Kafka jars that Maven resolved for this module: no download, no install.
 *
 * <p>Everything lives in the data directory: {@code server.properties}, the log4j configuration, the broker's logs
 * ({@code kafka-logs/}), its output ({@code kafka.out}) and {@code kafka.pid}, which is how {@link #stop} and
 * {@link #status} find the process later, from another JVM.
 *
 * <p>A new broker is secured unless asked otherwise: SASL_SSL with SCRAM-SHA-512 and the KRaft
 * {@code StandardAuthorizer}, with the certificate, credentials and client files of {@link BrokerSecurity} in
 * {@code security/}; clients connect as a principal ({@link #connection}). A broker keeps the security it was first
 * started with: one set up plaintext stays so.
 */
public final class LocalKafka {

    /** What {@link #status()} found. */
    public enum State { RUNNING, NOT_RESPONDING, STOPPED }

    /** How clients reach the broker. */
    public enum Security {
        /** TLS, SCRAM-SHA-512 authentication and ACLs. */
        SASL_SSL,
        /** No encryption, authentication or authorization. */
        PLAINTEXT
    }

    /** The broker's state; {@code pid} is present unless stopped. */
    public record Status(State state, Optional<Long> pid, String bootstrapServers, Security security) {
        @Override
        public String toString() {
            return switch (state) {
                case RUNNING -> "running, pid " + pid.orElseThrow() + ", bootstrap servers " + bootstrapServers
                        + " (" + (security == Security.SASL_SSL ? "SASL_SSL, SCRAM-SHA-512, ACLs" : "PLAINTEXT") + ")";
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
    private final BrokerSecurity credentials;
    private final Security securityIfNew;

    /**
     * A broker of this data directory.
     *
     * @param securityIfNew the security of a broker that has never run; one that has keeps its own
     */
    public LocalKafka(Path dataDir, int port, int controllerPort, Security securityIfNew) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.port = port;
        this.controllerPort = controllerPort;
        this.securityIfNew = securityIfNew;
        this.process = new LocalProcess("broker", this.dataDir.resolve("kafka.pid"), this.dataDir.resolve("kafka.out"));
        this.credentials = new BrokerSecurity(this.dataDir.resolve("security"));
    }

    /** A broker on ports that are free now: for tests and benchmarks that run next to anything else. */
    public static LocalKafka onFreePorts(Path dataDir, Security securityIfNew) throws IOException {
        return new LocalKafka(dataDir, LocalProcess.freePort(), LocalProcess.freePort(), securityIfNew);
    }

    /** The broker's security: the one it was set up with, or for a broker that never ran the one it will get. */
    public Security security() {
        if (Files.exists(logDir().resolve("meta.properties"))) {
            return credentials.exists() ? Security.SASL_SSL : Security.PLAINTEXT;
        }
        return securityIfNew;
    }

    /**
     * The client properties file of a principal of the {@link AccessCatalog} or of its administrator
     * ({@value AccessCatalog#ADMIN}); none on a plaintext broker.
     */
    public Optional<Path> clientProperties(String principal) {
        return security() == Security.SASL_SSL ? Optional.of(credentials.clientProperties(principal))
                : Optional.empty();
    }

    /** How a client reaches the broker as this principal. */
    public KafkaConnection connection(String principal) {
        return new KafkaConnection(bootstrapServers(),
                clientProperties(principal).map(KafkaClientProperties::read).orElse(Map.of()));
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
            Security security = security();
            if (security == Security.SASL_SSL) {
                credentials.prepare(timeout);
            }
            Path properties = writeConfiguration(security);
            if (!Files.exists(logDir().resolve("meta.properties"))) {
                format(properties, security, timeout);
            }
            Process broker = process.startJava(System.getProperty("java.class.path"), jvmOptions(), "kafka.Kafka",
                    List.of(properties.toString()), dataDir);
            process.awaitReady(broker, this::answersAdminRequests, timeout);
            if (security == Security.SASL_SSL) {
                try (Admin admin = connection(AccessCatalog.ADMIN).admin(Map.of())) {
                    credentials.applyCredentials(admin, timeout);
                }
            }
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
            return new Status(State.STOPPED, Optional.empty(), bootstrapServers(), security());
        }
        State state = LocalProcess.answers(port) ? State.RUNNING : State.NOT_RESPONDING;
        return new Status(state, Optional.of(broker.get().pid()), bootstrapServers(), security());
    }

    /** The file the broker writes its output to. */
    public Path outputFile() {
        return process.outputFile();
    }

    private Path writeConfiguration(Security security) throws IOException, LocalPlatformException {
        List<String> listeners = security == Security.SASL_SSL ? credentials.brokerConfig(port, controllerPort)
                : List.of("listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                        "advertised.listeners=PLAINTEXT://localhost:" + port,
                        "inter.broker.listener.name=PLAINTEXT",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        String config = String.join("\n",
                "# Written by factstream's LocalKafka; rewritten at every start.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@localhost:" + controllerPort,
                "controller.listener.names=CONTROLLER",
                String.join("\n", listeners),
                "log.dirs=" + logDir(),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "");
        Path properties = dataDir.resolve("server.properties");
        Files.writeString(properties, config, StandardCharsets.UTF_8);
        // It holds the administrator's password on a secured broker.
        Files.setPosixFilePermissions(properties, PosixFilePermissions.fromString("rw-------"));
        LocalProcess.copyResource("kafka-log4j2.properties", log4jFile());
        return properties;
    }

    private void format(Path properties, Security security, Duration timeout)
            throws IOException, LocalPlatformException {
        List<String> args = new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(), "-c",
                properties.toString()));
        if (security == Security.SASL_SSL) {
            // The administrator's credential must be there before the broker runs: nobody could set it otherwise.
            args.addAll(List.of("--add-scram", credentials.formatCredential()));
        }
        ProcessBuilder builder = LocalProcess.java(System.getProperty("java.class.path"), jvmOptions(),
                        "kafka.tools.StorageTool", args)
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
        // The broker this class started, as its administrator: no client properties of another cluster.
        try (Admin admin = connection(AccessCatalog.ADMIN).admin(config)) {
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
