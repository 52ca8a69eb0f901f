package io.factstream.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.factstream.catalog.access.AccessCatalog;
import io.factstream.catalog.access.Grant;
import io.factstream.catalog.access.Principal;

/**
 * Writes {@code deploy/k8s/kafka/users.yaml}: one Strimzi {@code KafkaUser} per principal of the
 * {@link AccessCatalog}, authenticated with SCRAM-SHA-512 and holding exactly the catalog's ACLs, the
 * administrator (a super user of the {@code Kafka}, without ACLs), and the {@code ConfigMap} of the client
 * properties every job and the gateway mount. {@code ManifestsTest} fails when the committed file is not what this
 * writes.
 *
 * <p>Strimzi keeps each user's password in a {@code Secret} of the user's name (keys {@code password} and
 * {@code sasl.jaas.config}) and the cluster's CA certificate in {@value #CA_SECRET}; a pod mounts both and the
 * client properties read the JAAS line from the mounted secret with Kafka's {@code DirectoryConfigProvider}, so the
 * ConfigMap holds no secret and is the same for every principal.
 *
 * <p>Run: {@code mvn -q -pl deploy/k8s -am process-test-classes -Pmanifests}.
 */
public final class KafkaUsersManifest {

    /** Where the jobs and the gateway reach Kafka: the cluster's TLS listener, which authenticates with SCRAM. */
    static final String BOOTSTRAP_SERVERS = KafkaTopicsManifest.CLUSTER + "-kafka-bootstrap:9093";
    /** The ConfigMap of the client properties. */
    static final String CLIENT_CONFIG_MAP = "factstream-kafka-client";
    /** Strimzi's Secret of the cluster CA certificate, key {@code ca.crt}. */
    static final String CA_SECRET = KafkaTopicsManifest.CLUSTER + "-cluster-ca-cert";
    /** Where a pod mounts the ConfigMap, the user's Secret and the CA certificate. */
    static final String CLIENT_DIR = "/opt/factstream/kafka";
    static final String USER_DIR = "/opt/factstream/kafka-user";
    static final String CA_DIR = "/opt/factstream/kafka-ca";
    /** The file every job and the gateway take with {@code --kafka-properties}. */
    static final String CLIENT_PROPERTIES = CLIENT_DIR + "/client.properties";

    private KafkaUsersManifest() {
    }

    /** The client properties: SASL_SSL, SCRAM-SHA-512, the JAAS line and the CA from the mounted secrets. */
    static Map<String, String> clientProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("security.protocol", "SASL_SSL");
        properties.put("sasl.mechanism", "SCRAM-SHA-512");
        properties.put("config.providers", "secret");
        properties.put("config.providers.secret.class",
                "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
        properties.put("sasl.jaas.config", "${secret:" + USER_DIR + ":sasl.jaas.config}");
        properties.put("ssl.truststore.type", "PEM");
        properties.put("ssl.truststore.location", CA_DIR + "/ca.crt");
        return properties;
    }

    /** The manifest's text: the ConfigMap, the administrator, then a {@code KafkaUser} per principal. */
    public static String render() {
        StringBuilder yaml = new StringBuilder()
                .append("# Generated from io.factstream.catalog.access.AccessCatalog by "
                        + "io.factstream.k8s.KafkaUsersManifest; do not edit.\n")
                .append("# Regenerate: mvn -q -pl deploy/k8s -am process-test-classes -Pmanifests\n")
                .append("---\n")
                .append("# The Kafka client properties of every job and of the gateway, mounted at ")
                .append(CLIENT_DIR).append(";\n")
                .append("# the password comes from the principal's own Secret, mounted at ").append(USER_DIR)
                .append(".\n")
                .append("apiVersion: v1\n")
                .append("kind: ConfigMap\n")
                .append("metadata:\n")
                .append("  name: ").append(CLIENT_CONFIG_MAP).append('\n')
                .append("data:\n")
                .append("  client.properties: |\n");
        clientProperties().forEach((key, value) -> yaml.append("    ").append(key).append('=').append(value)
                .append('\n'));
        yaml.append("---\n")
                .append("# The administrator: topics ensure, ACLs, redrives. A super user of the Kafka resource\n")
                .append("# (spec.kafka.authorization.superUsers: [").append(AccessCatalog.ADMIN)
                .append("]), so it has no ACLs.\n");
        user(yaml, AccessCatalog.ADMIN, List.of());
        for (Principal principal : AccessCatalog.standard().principals()) {
            yaml.append("---\n").append("# ").append(principal.purpose()).append('\n');
            user(yaml, principal.name(), principal.grants());
        }
        return yaml.toString();
    }

    private static void user(StringBuilder yaml, String name, List<Grant> grants) {
        yaml.append("apiVersion: kafka.strimzi.io/v1beta2\n")
                .append("kind: KafkaUser\n")
                .append("metadata:\n")
                .append("  name: ").append(name).append('\n')
                .append("  labels:\n")
                .append("    strimzi.io/cluster: ").append(KafkaTopicsManifest.CLUSTER).append('\n')
                .append("spec:\n")
                .append("  authentication:\n")
                .append("    type: scram-sha-512\n");
        if (grants.isEmpty()) {
            return;
        }
        yaml.append("  authorization:\n")
                .append("    type: simple\n")
                .append("    acls:\n");
        for (Grant grant : grants) {
            yaml.append("      - resource:\n")
                    .append("          type: ").append(resourceType(grant)).append('\n')
                    .append("          name: ").append(grant.name()).append('\n')
                    .append("          patternType: ").append(grant.prefixed() ? "prefix" : "literal").append('\n')
                    .append("        operations: [").append(operation(grant)).append("]\n")
                    .append("        host: \"*\"\n");
        }
    }

    /** Strimzi's name of a grant's resource type. */
    static String resourceType(Grant grant) {
        return switch (grant.resource()) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case TRANSACTIONAL_ID -> "transactionalId";
        };
    }

    /** Strimzi's name of a grant's operation. */
    static String operation(Grant grant) {
        return switch (grant.operation()) {
            case READ -> "Read";
            case WRITE -> "Write";
        };
    }

    /** The volumes a pod of this principal mounts: the client properties, its Secret, the cluster CA. */
    static List<String> volumes(String principal) {
        List<String> lines = new ArrayList<>();
        lines.add("- name: kafka-client");
        lines.add("  configMap:");
        lines.add("    name: " + CLIENT_CONFIG_MAP);
        lines.add("- name: kafka-user");
        lines.add("  secret:");
        lines.add("    secretName: " + principal);
        lines.add("- name: kafka-ca");
        lines.add("  secret:");
        lines.add("    secretName: " + CA_SECRET);
        return lines;
    }

    /** Writes the manifest to the file given as the only argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: KafkaUsersManifest <users.yaml>");
        }
        Files.writeString(Path.of(args[0]), render(), StandardCharsets.UTF_8);
    }
}
