package io.factstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.catalog.access.AccessCatalog;
import io.factstream.jobs.AggregateJob;
import io.factstream.jobs.PlatformJob;
import io.factstream.kafka.clients.KafkaClientProperties;
import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.testdata.World;
import io.factstream.testdata.WorldGenerator;
import io.factstream.testdata.WorldPlay;
import io.factstream.testkit.CommandLineRun;

/**
 * The local platform as it runs by default: its broker on SASL_SSL with SCRAM-SHA-512 and the KRaft
 * {@code StandardAuthorizer}, the access catalog's ACLs applied by {@code topics ensure}, every job under its own
 * principal. One platform for every test of the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecuredPlatformITCase {

    private static final long SEED = 11;
    private static final Duration REFUSAL_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path dataDir;

    private PlatformFixture fixture;
    private LocalKafka kafka;

    @BeforeAll
    void up() throws Exception {
        fixture = new PlatformFixture(dataDir, PlatformFixture.SAGA_TIMEOUT, LocalKafka.Security.SASL_SSL);
        fixture.up(PlatformJob.all());
        kafka = fixture.platform().kafka();
        assertThat(kafka.status().toString()).contains("SASL_SSL, SCRAM-SHA-512, ACLs");
    }

    @AfterEach
    void forgetClientProperties() {
        System.clearProperty(KafkaClientProperties.SYSTEM_PROPERTY);
    }

    @AfterAll
    void down() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void everyJobRunsEndToEndAsItsOwnPrincipalAndTheAuditIsClean() throws Exception {
        for (PlatformJob job : PlatformJob.all()) {
            assertThat(fixture.platform().jobArgs(job, List.of())).as(job.id())
                    .containsSubsequence("--kafka-properties", principalFile(job.name()).toString());
        }
        World world = WorldGenerator.generate(WorldGenerator.Parameters.ofOrders(60, SEED));

        KafkaClientProperties.use(principalFile(AccessCatalog.ADMIN)); // the world's clients, as the demo sends
        boolean played = WorldPlay.play(world, kafka.bootstrapServers(), Duration.ofMinutes(2), Duration.ofMinutes(5),
                new PrintWriter(System.out, true));
        assertThat(played).as("every command sent and the books balance").isTrue();

        KafkaClientProperties.use(principalFile(AccessCatalog.TOOLS)); // the auditor reads, as the tools' principal
        List<String> report = new ArrayList<>();
        boolean clean = PlatformCommands.audit(kafka.bootstrapServers(), PlatformFixture.TIMEOUT,
                PlatformFixture.SAGA_TIMEOUT.plusMinutes(1), report);
        report.forEach(System.out::println);
        assertThat(clean).as("the audit").isTrue();
        assertThat(report).contains("every invariant holds");
    }

    @Test
    void aPrincipalWithoutTheAclCannotWriteAnotherContextsEventsNorReadItsCommands() {
        KafkaConnection views = kafka.connection(AccessCatalog.VIEWS);
        try (KafkaProducer<byte[], byte[]> producer = views.producer(Map.of(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) REFUSAL_TIMEOUT.toMillis()))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("orders.events", "o-1".getBytes(),
                    "forged".getBytes())).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        try (KafkaConsumer<byte[], byte[]> consumer = views.consumer(Map.of())) {
            consumer.assign(List.of(new TopicPartition("payments.commands", 0)));
            assertThatThrownBy(() -> pollUntilRefused(consumer)).isInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining("payments.commands");
        }
        // Its owners may: the refusals above are the ACLs', not the broker's.
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.connection("payments").consumer(Map.of())) {
            TopicPartition partition = new TopicPartition("payments.commands", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            assertThat(consumer.position(partition, Duration.ofSeconds(30))).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void anUnauthenticatedClientAndAWrongPasswordAreRefused() throws Exception {
        assertThatThrownBy(() -> describeCluster(new KafkaConnection(kafka.bootstrapServers(), Map.of())))
                .as("a plaintext client").hasCauseInstanceOf(TimeoutException.class);
        Map<String, String> tlsOnly = Map.of("security.protocol", "SSL", "ssl.truststore.type", "PEM",
                "ssl.truststore.location", principalFile(AccessCatalog.ADMIN).resolveSibling("ca.crt").toString());
        assertThatThrownBy(() -> describeCluster(new KafkaConnection(kafka.bootstrapServers(), tlsOnly)))
                .as("TLS without SASL").hasCauseInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> describeCluster(new KafkaConnection(kafka.bootstrapServers(),
                KafkaClientProperties.read(wrongPassword()))))
                .as("a wrong password").hasCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void theToolsReportARefusalAsOneLine() throws Exception {
        CommandLineRun wrong = local("topics", "check", "-b", kafka.bootstrapServers(), "--kafka-properties",
                wrongPassword().toString(), "--timeout", "PT20S");
        assertThat(wrong.exitCode()).isEqualTo(LocalCommand.EXIT_FAILED);
        assertThat(wrong.err().lines()).singleElement().asString()
                .startsWith("factstream topics check: ").contains("Authentication failed");

        CommandLineRun unauthorized = local("topics", "dump", "-b", kafka.bootstrapServers(), "--kafka-properties",
                principalFile(AccessCatalog.VIEWS).toString(), "--topics", "payments.commands", "--out",
                dataDir.resolve("refused.avro").toString(), "--timeout", "PT20S");
        assertThat(unauthorized.exitCode()).isEqualTo(LocalCommand.EXIT_FAILED);
        assertThat(unauthorized.err().lines()).singleElement().asString()
                .startsWith("factstream topics dump: ").contains("payments.commands");
    }

    @Test
    void aJobUnderAPrincipalWithoutItsAclsIsRefusedBeforeItStartsWithOneLine() throws Exception {
        FlinkRest rest = fixture.platform().flink().rest();
        int running = rest.activeJobIds().size();
        String jar = rest.uploadJar(fixture.platform().settings().jobsJar());
        List<String> args = List.of("--context", "orders", "--bootstrap-servers", kafka.bootstrapServers(),
                "--kafka-properties", principalFile(AccessCatalog.VIEWS).toString());

        assertThatThrownBy(() -> rest.run(jar, AggregateJob.class.getName(), args, Optional.empty(),
                Optional.empty()))
                .isInstanceOf(LocalPlatformException.class)
                .hasMessageContaining("the orders job may not READ orders.commands")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(rest.activeJobIds()).as("no job was started").hasSize(running);
    }

    @Test
    void topicsCheckReportsAnAclRemovedOrAddedByHandAndEnsureRestoresIt() throws Exception {
        int grants = AccessCatalog.standard().principals().stream().mapToInt(p -> p.grants().size()).sum();
        assertThat(asAdmin("check").exitCode()).as("as the platform left it").isZero();

        kafkaAclCommand("--remove", "--allow-principal", "User:gateway", "--operation", "Write", "--topic",
                "orders.commands", "--force");
        kafkaAclCommand("--add", "--allow-principal", "User:tools", "--operation", "Write", "--topic",
                "orders.events");

        CommandLineRun drifted = asAdmin("check");
        assertThat(drifted.exitCode()).isEqualTo(1);
        assertThat(drifted.out()).contains("MISSING   User:gateway WRITE topic orders.commands")
                .contains("BEYOND    User:tools ALLOW WRITE topic orders.events from *")
                .contains("ACLs: 0 granted, 1 missing, " + (grants - 1) + " in place, 1 beyond the catalog");

        CommandLineRun ensured = asAdmin("ensure");
        assertThat(ensured.out()).contains("granted   User:gateway WRITE topic orders.commands");
        kafkaAclCommand("--remove", "--allow-principal", "User:tools", "--operation", "Write", "--topic",
                "orders.events", "--force");

        CommandLineRun again = asAdmin("ensure");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("0 created, 0 missing")
                .contains("ACLs: 0 granted, 0 missing, " + grants + " in place, 0 beyond the catalog");
        assertThat(asAdmin("check").out()).isEqualTo(again.out());
    }

    private Path principalFile(String principal) {
        return kafka.clientProperties(principal).orElseThrow();
    }

    /** The tools' client file with another password. */
    private Path wrongPassword() throws Exception {
        Path wrong = dataDir.resolve("wrong-password.properties");
        Files.writeString(wrong, Files.readString(principalFile(AccessCatalog.TOOLS))
                .replaceAll("password=\"[^\"]*\"", "password=\"not-the-password\""));
        return wrong;
    }

    private static void describeCluster(KafkaConnection connection) throws Exception {
        int millis = (int) REFUSAL_TIMEOUT.toMillis();
        try (Admin admin = connection.admin(Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis))) {
            admin.describeCluster().nodes().get(2 * millis, TimeUnit.MILLISECONDS);
        }
    }

    private static void pollUntilRefused(KafkaConsumer<byte[], byte[]> consumer) {
        Instant deadline = Instant.now().plus(REFUSAL_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            consumer.poll(Duration.ofMillis(500));
        }
    }

    /** {@code topics <subcommand>} on the platform's broker as its administrator. */
    private CommandLineRun asAdmin(String subcommand) {
        return local("topics", subcommand, "-b", kafka.bootstrapServers(), "--partitions", "2", "--kafka-properties",
                principalFile(AccessCatalog.ADMIN).toString());
    }

    private static CommandLineRun local(String... args) {
        CommandLineRun run = CommandLineRun.of(LocalCommand.commandLine(), args);
        System.clearProperty(KafkaClientProperties.SYSTEM_PROPERTY); // --kafka-properties sets it for the process
        return run;
    }

    /** Kafka's own {@code kafka-acls} tool, run as the administrator in a process of its own, as an operator would. */
    private void kafkaAclCommand(String... args) throws Exception {
        List<String> arguments = new ArrayList<>(List.of("--bootstrap-server", kafka.bootstrapServers(),
                "--command-config", principalFile(AccessCatalog.ADMIN).toString()));
        arguments.addAll(List.of(args));
        Process tool = LocalProcess.java(System.getProperty("java.class.path"), List.of(),
                "org.apache.kafka.tools.AclCommand", arguments).redirectErrorStream(true).start();
        String output = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tool.waitFor(60, TimeUnit.SECONDS)).as("kafka-acls ended").isTrue();
        assertThat(tool.exitValue()).as("kafka-acls %s: %s", arguments, output).isZero();
    }
}
