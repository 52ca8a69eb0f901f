package io.factstream.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.kafka.topics.TopicAdmin;

/**
 * The local platform's gateway: a process of its own in front of a local broker, with the sample users written
 * once (their tokens readable by the owner only, the users file holding none), answering as the users it lists,
 * stopped cleanly.
 */
class LocalGatewayITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path dataDir;

    private LocalKafka broker;
    private LocalGateway gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.stop(TIMEOUT);
        }
        if (broker != null) {
            broker.stop(TIMEOUT);
        }
    }

    @Test
    void startsAGatewayProcessThatAnswersItsSampleUsersAndStopsIt() throws Exception {
        broker = LocalKafka.onFreePorts(dataDir.resolve("kafka"), LocalKafka.Security.PLAINTEXT);
        broker.start(TIMEOUT);
        try (TopicAdmin admin = TopicAdmin.connect(broker.bootstrapServers(), TIMEOUT)) {
            admin.ensure(TopicCatalog.sized(2, (short) 1));
        }
        Path root = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();
        gateway = new LocalGateway(dataDir.resolve("gateway"), LocalProcess.freePort(),
                root.resolve("gateway/target/classpath.txt"));

        String started = gateway.start(broker.bootstrapServers(), Optional.empty(), TIMEOUT);

        assertThat(started).startsWith("running, pid ").contains(gateway.url().toString());
        List<String> logins = Files.readAllLines(gateway.logins());
        String[] customer = logins.stream().filter(l -> l.startsWith("customer-1 ")).findFirst().orElseThrow()
                .split(" ");
        assertThat(logins).anyMatch(l -> l.startsWith("cook-7 ")).anyMatch(l -> l.startsWith("courier-19 "))
                .anyMatch(l -> l.startsWith("support-1 "));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(gateway.logins())))
                .isEqualTo("rw-------");
        assertThat(Files.readString(dataDir.resolve("gateway/users.json"))).doesNotContain(customer[1]);
        assertThat(gateway.howToLogIn()).contains("customer-1 with token " + customer[1]);

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> me = http.send(HttpRequest.newBuilder(gateway.url().resolve("/api/me"))
                .header("Authorization", "Bearer " + customer[1]).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body()).contains("\"customer-1\"").contains("CUSTOMER");
        assertThat(gateway.start(broker.bootstrapServers(), Optional.empty(), TIMEOUT)).as("starting again keeps it")
                .isEqualTo(started);

        assertThat(gateway.stop(TIMEOUT)).isEqualTo("stopped");
        assertThat(LocalProcess.answers(gateway.url().getPort())).isFalse();
    }
}
