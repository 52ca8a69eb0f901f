package io.factstream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.factstream.catalog.access.AccessCatalog;
import io.factstream.gateway.GatewayMain;
import picocli.CommandLine;

/**
 * Holds the gateway's Deployment and Service to the gateway: its arguments are ones its command line accepts, the
 * probes and the Service reach the port it listens on, the users file is where the Secret is mounted, and the
 * image runs the gateway's main class with the jar the build makes.
 */
class GatewayManifestTest {

    private static final Path MANIFEST = Path.of("gateway", "gateway.yaml");
    private static final Path DOCKERFILE = Path.of("gateway", "Dockerfile");

    private static JsonNode deployment;
    private static JsonNode service;

    @BeforeAll
    static void read() throws IOException {
        List<JsonNode> documents = new YAMLMapper().readValues(new YAMLMapper().createParser(MANIFEST.toFile()),
                JsonNode.class).readAll();
        deployment = documents.stream().filter(d -> d.path("kind").asText().equals("Deployment")).findFirst()
                .orElseThrow();
        service = documents.stream().filter(d -> d.path("kind").asText().equals("Service")).findFirst()
                .orElseThrow();
    }

    @Test
    void theArgumentsAreOnesTheGatewayAccepts() {
        GatewayMain main = new GatewayMain();
        new CommandLine(main).parseArgs(args().toArray(String[]::new));

        JsonNode container = container();
        int port = container.path("ports").get(0).path("containerPort").asInt();
        assertThat(args()).containsSubsequence("--port", Integer.toString(port));
    }

    @Test
    void theGatewayReachesKafkaAsItsOwnKafkaUser() {
        KafkaMounts.assertRunsAs("the gateway", deployment.path("spec").path("template").path("spec"), container(),
                args(), AccessCatalog.GATEWAY);
    }

    @Test
    void probesAndServiceReachTheHealthRouteOnTheGatewaysPort() {
        JsonNode container = container();
        String portName = container.path("ports").get(0).path("name").asText();
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            assertThat(container.path(probe).path("httpGet").path("path").asText()).isEqualTo("/api/health");
            assertThat(container.path(probe).path("httpGet").path("port").asText()).isEqualTo(portName);
        }
        assertThat(service.path("spec").path("ports").get(0).path("targetPort").asText()).isEqualTo(portName);
        assertThat(service.path("spec").path("selector"))
                .isEqualTo(deployment.path("spec").path("selector").path("matchLabels"));
    }

    @Test
    void theUsersFileIsWhereTheSecretIsMounted() {
        String users = args().get(args().indexOf("--users") + 1);
        JsonNode mount = container().path("volumeMounts").get(0);
        assertThat(Path.of(users).getParent()).isEqualTo(Path.of(mount.path("mountPath").asText()));
        assertThat(deployment.path("spec").path("template").path("spec").path("volumes").get(0).path("secret")
                .path("secretName").asText()).isEqualTo("factstream-gateway-users");
    }

    @Test
    void theImageRunsTheGatewayWithTheJarTheBuildMakes() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        assertThat(dockerfile).contains("COPY gateway/target/factstream-gateway.jar")
                .contains("COPY gateway/target/lib/")
                .contains("\"" + GatewayMain.class.getName() + "\"");
        assertThat(Path.of("..", "..", "gateway", "target", "factstream-gateway.jar")).exists();
    }

    private static JsonNode container() {
        return deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }

    private static List<String> args() {
        List<String> args = new ArrayList<>();
        container().path("args").forEach(arg -> args.add(arg.asText()));
        return args;
    }
}
