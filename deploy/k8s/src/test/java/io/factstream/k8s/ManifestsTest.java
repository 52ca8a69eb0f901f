package io.factstream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.access.AccessCatalog;
import io.factstream.catalog.access.Principal;
import io.factstream.catalog.topics.TopicSpec;
import io.factstream.jobs.AggregateJob;
import io.factstream.jobs.PlatformJob;
import io.factstream.jobs.SagaJob;
import io.factstream.jobs.ViewJob;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * Holds the Kubernetes manifests to the code: the FlinkDeployments (as kustomize renders them) to the job classes,
 * their options and {@code flink-conf/config.yaml}; the KafkaTopics to the topic catalog; the image to the jar the
 * deployments run.
 */
class ManifestsTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Path FLINK = Path.of("flink");
    private static final Path TOPICS = Path.of("kafka", "topics.yaml");
    private static final Path USERS = Path.of("kafka", "users.yaml");
    private static final Path DOCKERFILE = Path.of("Dockerfile");
    private static final Path CLUSTER_CONFIG = Path.of("..", "..", "flink-conf", "config.yaml");
    private static final String REGENERATE = "mvn -q -pl deploy/k8s -am process-test-classes -Pmanifests";

    /**
     * Keys (and key prefixes) of {@code flink-conf/config.yaml} a FlinkDeployment does not carry, because the
     * operator or the deployment's own spec sets them.
     */
    private static final List<String> NOT_CARRIED = List.of(
            // addresses and ports: the operator's
            "jobmanager.rpc", "jobmanager.bind-host", "taskmanager.bind-host", "taskmanager.host", "rest", "web",
            // one job per cluster: sized by jobManager/taskManager.resource and job.parallelism
            "jobmanager.memory.process.size", "taskmanager.memory.process.size", "taskmanager.numberOfTaskSlots",
            "parallelism.default",
            // one job per JobManager: one user class loader fits Flink's default metaspace
            "jobmanager.memory.jvm-metaspace.size",
            // per job, on shared storage
            "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir",
            // the operator's default configuration sets env.java.default-opts.all for Flink 1.19 and newer
            "env.java.opts.all");

    /** Options that would take from the operator what it manages, or make a live job end. */
    private static final List<String> NOT_FOR_LIVE_DEPLOYMENTS = List.of(
            "--parallelism", "--state-backend", "--checkpoint-dir", "--mode", "--bounded", "--until", "--input-file");

    private static List<ObjectNode> deployments;

    @BeforeAll
    static void render() throws IOException {
        deployments = Kustomization.read(FLINK).render();
    }

    @Test
    void kustomizationDeploysEveryFlinkManifest() throws IOException {
        Kustomization kustomization = Kustomization.read(FLINK);
        List<String> listed = new ArrayList<>(kustomization.resources());
        listed.addAll(kustomization.patches());
        listed.add("kustomization.yaml");
        try (Stream<Path> files = Files.list(FLINK)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(listed);
        }
        assertThat(deployments).allSatisfy(deployment -> {
            assertThat(deployment.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
            assertThat(deployment.path("kind").asText()).isEqualTo("FlinkDeployment");
        });
    }

    @Test
    void everyJobClassHasAMainMethod() throws Exception {
        for (JsonNode deployment : deployments) {
            Method main = Class.forName(job(deployment).path("entryClass").asText())
                    .getMethod("main", String[].class);
            assertThat(Modifier.isStatic(main.getModifiers())).as(name(deployment)).isTrue();
        }
    }

    @Test
    void everyJobIsDeployedOnceWithArgumentsItAccepts() throws Exception {
        List<String> deployed = new ArrayList<>();
        for (JsonNode deployment : deployments) {
            ParseResult args = parseArgs(deployment);
            String entryClass = job(deployment).path("entryClass").asText();
            deployed.add(entryClass.equals(AggregateJob.class.getName())
                    ? "aggregate " + args.matchedOptionValue("--context", (BoundedContext) null).id()
                    : entryClass);
        }
        List<String> expected = new ArrayList<>(Arrays.stream(BoundedContext.values())
                .map(context -> "aggregate " + context.id()).toList());
        expected.add(SagaJob.class.getName());
        expected.add(ViewJob.class.getName());
        assertThat(deployed).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void jobsReadTheKafkaClusterOfTheTopicsAndLeaveTheRestToTheOperator() throws Exception {
        for (JsonNode deployment : deployments) {
            ParseResult args = parseArgs(deployment);
            assertThat(args.matchedOptionValue("--bootstrap-servers", ""))
                    .as(name(deployment))
                    .startsWith(KafkaTopicsManifest.CLUSTER + "-kafka-bootstrap");
            assertThat(NOT_FOR_LIVE_DEPLOYMENTS).as(name(deployment)).noneMatch(args::hasMatchedOption);
            assertThat(job(deployment).path("parallelism").asInt()).as(name(deployment)).isPositive();
        }
    }

    @Test
    void jobsRunInApplicationModeAndUpgradeThroughSavepoints() {
        Map<String, String> flinkVersions = new TreeMap<>();
        for (JsonNode deployment : deployments) {
            JsonNode job = job(deployment);
            assertThat(job.path("jarURI").asText()).as(name(deployment)).startsWith("local:///");
            assertThat(job.path("upgradeMode").asText()).as(name(deployment)).isEqualTo("savepoint");
            assertThat(job.path("state").asText()).as(name(deployment)).isEqualTo("running");
            // State no operator claims means a changed uid: the upgrade must fail, not drop it.
            assertThat(job.path("allowNonRestoredState").asBoolean(false)).as(name(deployment)).isFalse();
            flinkVersions.put(name(deployment), deployment.path("spec").path("flinkVersion").asText());
        }
        String[] flink = EnvironmentInformation.getVersion().split("\\.");
        assertThat(flinkVersions).allSatisfy((deployment, version) ->
                assertThat(version).as(deployment).isEqualTo("v" + flink[0] + "_" + flink[1]));
    }

    @Test
    void checkpointsAndSavepointsGoToSharedStorageAJobOfItsOwn() {
        for (JsonNode deployment : deployments) {
            Map<String, String> config = flinkConfiguration(deployment);
            for (String key : List.of("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir")) {
                String directory = config.get(key);
                assertThat(directory).as(name(deployment) + " " + key).isNotBlank().endsWith("/" + name(deployment));
                assertThat(URI.create(directory).getScheme()).as("a pod's own disk is not shared storage: " + directory)
                        .isNotNull().isNotEqualTo("file");
            }
        }
    }

    @Test
    void everyDeploymentCarriesTheClusterConfiguration() throws Exception {
        Map<String, String> cluster = flatten(YAML.readTree(CLUSTER_CONFIG.toFile()));
        assertThat(cluster).containsEntry("pipeline.generic-types", "false").containsKey("pipeline.max-parallelism");
        Map<String, String> carried = new TreeMap<>(cluster);
        carried.keySet().removeIf(key -> NOT_CARRIED.stream()
                .anyMatch(excluded -> key.equals(excluded) || key.startsWith(excluded + ".")));

        for (JsonNode deployment : deployments) {
            Map<String, String> config = flinkConfiguration(deployment);
            assertThat(config).as(name(deployment)).containsAllEntriesOf(carried);
            // The jobs set the interval themselves (--checkpoint-interval): it must be the configured one.
            Duration interval = parseArgs(deployment).commandSpec().findOption("--checkpoint-interval").getValue();
            assertThat(interval).as(name(deployment))
                    .isEqualTo(TimeUtils.parseDuration(config.get("execution.checkpointing.interval")));
        }
    }

    @Test
    void topicsAreTheCatalog() throws IOException {
        Map<String, Topic> declared = new TreeMap<>();
        for (JsonNode topic : YAML.readerFor(JsonNode.class).<JsonNode>readValues(TOPICS.toFile()).readAll()) {
            assertThat(topic.path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1beta2");
            assertThat(topic.path("kind").asText()).isEqualTo("KafkaTopic");
            JsonNode metadata = topic.path("metadata");
            assertThat(metadata.path("labels").path("strimzi.io/cluster").asText())
                    .isEqualTo(KafkaTopicsManifest.CLUSTER);
            String name = metadata.path("name").asText();
            // Strimzi names the topic after the resource, which must be a DNS-1123 subdomain.
            assertThat(name).hasSizeLessThanOrEqualTo(253)
                    .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
            assertThat(topic.path("spec").has("topicName")).as(name).isFalse();
            JsonNode spec = topic.path("spec");
            assertThat(declared.put(name, new Topic(spec.path("partitions").asInt(), spec.path("replicas").asInt(),
                    flatten(spec.path("config"))))).as("declared twice: " + name).isNull();
        }
        Map<String, Topic> catalog = new TreeMap<>();
        for (TopicSpec spec : KafkaTopicsManifest.catalog().topics()) {
            catalog.put(spec.name(), new Topic(spec.partitions(), spec.replicationFactor(), spec.configs()));
        }
        assertThat(declared).isEqualTo(catalog);
    }

    @Test
    void kafkaManifestsAreTheGeneratedOnes() throws IOException {
        for (Map.Entry<Path, String> manifest : Map.of(TOPICS, KafkaTopicsManifest.render(),
                USERS, KafkaUsersManifest.render()).entrySet()) {
            assertThat(Files.readString(manifest.getKey()))
                    .as("%s is out of date; regenerate: %s", manifest.getKey(), REGENERATE)
                    .isEqualTo(manifest.getValue());
        }
    }

    @Test
    void flinkManifestsAreTheGeneratedOnes() throws IOException {
        for (Map.Entry<String, String> file : FlinkDeploymentsManifest.render().entrySet()) {
            Path committed = FLINK.resolve(file.getKey());
            assertThat(committed).as("%s, for a job of PlatformJob.all(); generate it: %s", committed, REGENERATE)
                    .exists();
            assertThat(Files.readString(committed)).as("%s is out of date; regenerate: %s", committed, REGENERATE)
                    .isEqualTo(file.getValue());
        }
    }

    @Test
    void everyPrincipalIsAKafkaUserWithExactlyTheAccessCatalogsAcls() throws IOException {
        Map<String, Set<String>> declared = new TreeMap<>();
        for (JsonNode user : documents(USERS, "KafkaUser")) {
            assertThat(user.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                    .isEqualTo(KafkaTopicsManifest.CLUSTER);
            assertThat(user.path("spec").path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
            Set<String> acls = new TreeSet<>();
            for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                JsonNode resource = acl.path("resource");
                acl.path("operations").forEach(operation -> acls.add(resource.path("type").asText() + " "
                        + resource.path("name").asText() + " " + resource.path("patternType").asText() + " "
                        + operation.asText() + " from " + acl.path("host").asText()));
            }
            assertThat(declared.put(user.path("metadata").path("name").asText(), acls)).isNull();
        }
        Map<String, Set<String>> catalog = new TreeMap<>(Map.of(AccessCatalog.ADMIN, Set.of()));
        for (Principal principal : AccessCatalog.standard().principals()) {
            Set<String> acls = new TreeSet<>();
            principal.grants().forEach(grant -> acls.add(KafkaUsersManifest.resourceType(grant) + " " + grant.name()
                    + " " + (grant.prefixed() ? "prefix" : "literal") + " " + KafkaUsersManifest.operation(grant)
                    + " from *"));
            catalog.put(principal.name(), acls);
        }
        assertThat(declared).isEqualTo(catalog);
    }

    @Test
    void everyJobMountsTheSecretOfItsOwnPrincipal() throws Exception {
        for (JsonNode deployment : deployments) {
            PlatformJob job = PlatformJob.all().stream()
                    .filter(j -> name(deployment).equals("factstream-" + j.name())).findFirst().orElseThrow();
            JsonNode pod = deployment.path("spec").path("podTemplate").path("spec");
            List<String> args = new ArrayList<>();
            job(deployment).path("args").forEach(arg -> args.add(arg.asText()));
            KafkaMounts.assertRunsAs(name(deployment), pod, pod.path("containers").get(0), args, job.name());
            assertThat(parseArgs(deployment).matchedOptionValue("--kafka-properties", (Path) null))
                    .isEqualTo(Path.of(KafkaUsersManifest.CLIENT_PROPERTIES));
        }
    }

    @Test
    void theMountedClientPropertiesResolveWithKafkasOwnConfigToTheMountedUserAndCa(@TempDir Path pod)
            throws IOException {
        JsonNode configMap = documents(USERS, "ConfigMap").get(0);
        assertThat(configMap.path("metadata").path("name").asText()).isEqualTo(KafkaUsersManifest.CLIENT_CONFIG_MAP);
        Path user = Files.createDirectories(pod.resolve("kafka-user"));
        Path ca = Files.createDirectories(pod.resolve("kafka-ca"));
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"orders\" "
                + "password=\"from-the-secret\";";
        Files.writeString(user.resolve("sasl.jaas.config"), jaas); // as Strimzi's Secret holds it
        Properties mounted = new Properties();
        // The pod's mount points, moved into the test's directory.
        mounted.load(new StringReader(configMap.path("data").path("client.properties").asText()
                .replace(KafkaUsersManifest.USER_DIR, user.toString())
                .replace(KafkaUsersManifest.CA_DIR, ca.toString())));
        mounted.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaUsersManifest.BOOTSTRAP_SERVERS);

        AdminClientConfig config = new AdminClientConfig(mounted);

        assertThat(config.getPassword(SaslConfigs.SASL_JAAS_CONFIG).value()).isEqualTo(jaas);
        assertThat(config.getString(AdminClientConfig.SECURITY_PROTOCOL_CONFIG)).isEqualTo("SASL_SSL");
        assertThat(config.getString(SaslConfigs.SASL_MECHANISM)).isEqualTo("SCRAM-SHA-512");
        assertThat(config.getString(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG))
                .isEqualTo(ca.resolve("ca.crt").toString());
    }

    @Test
    void imageHoldsTheFlinkAndTheJarTheDeploymentsRun() throws IOException {
        List<List<String>> instructions = Arrays.stream(Files.readString(DOCKERFILE).replace("\\\n", " ").split("\n"))
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .map(line -> List.of(line.split("\\s+")))
                .toList();
        assertThat(instructions.stream().filter(words -> words.get(0).equals("FROM")))
                .singleElement()
                .satisfies(from -> assertThat(from.get(1))
                        .startsWith("flink:" + EnvironmentInformation.getVersion() + "-java"));

        String jar = "jobs/target/factstream-jobs-" + System.getProperty("factstream.version") + "-job.jar";
        for (JsonNode deployment : deployments) {
            String inImage = URI.create(job(deployment).path("jarURI").asText()).getPath();
            assertThat(instructions.stream().filter(words -> words.get(0).equals("COPY")
                            && words.get(words.size() - 1).equals(inImage)))
                    .as("COPY of the jar %s runs", name(deployment))
                    .singleElement()
                    .satisfies(copy -> assertThat(copy.get(copy.size() - 2)).isEqualTo(jar));
        }
    }

    /** The documents of a YAML stream of this kind. */
    private static List<JsonNode> documents(Path file, String kind) throws IOException {
        return YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll().stream()
                .filter(document -> document.path("kind").asText().equals(kind)).toList();
    }

    /** A topic as the cluster must have it. */
    private record Topic(int partitions, int replicas, Map<String, String> configs) {
    }

    private static String name(JsonNode deployment) {
        return deployment.path("metadata").path("name").asText();
    }

    private static JsonNode job(JsonNode deployment) {
        return deployment.path("spec").path("job");
    }

    private static Map<String, String> flinkConfiguration(JsonNode deployment) {
        return flatten(deployment.path("spec").path("flinkConfiguration"));
    }

    /** The job's arguments, read by the job's own command line; fails on an option the job does not have. */
    private static ParseResult parseArgs(JsonNode deployment) throws Exception {
        Object job = Class.forName(job(deployment).path("entryClass").asText()).getConstructor().newInstance();
        List<String> args = new ArrayList<>();
        job(deployment).path("args").forEach(arg -> args.add(arg.asText()));
        try {
            return new CommandLine(job)
                    .registerConverter(BoundedContext.class, BoundedContext::byId)
                    .parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError(name(deployment) + ": " + e.getMessage(), e);
        }
    }

    /** Flink's view of a YAML configuration: nested keys joined with dots, every value as text. */
    private static Map<String, String> flatten(JsonNode config) {
        Map<String, String> flat = new TreeMap<>();
        config.properties().forEach(field -> flatten(field.getKey(), field.getValue(), flat));
        return flat;
    }

    private static void flatten(String key, JsonNode node, Map<String, String> flat) {
        if (node.isObject()) {
            node.properties().forEach(field -> flatten(key + "." + field.getKey(), field.getValue(), flat));
        } else {
            flat.put(key, node.asText());
        }
    }
}
