package io.factstream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks that a pod reaches Kafka as a principal: its container takes the client properties with
 * {@code --kafka-properties} from the mounted ConfigMap, and mounts the principal's own Secret and the cluster CA
 * where those properties look for them ({@link KafkaUsersManifest}).
 */
final class KafkaMounts {

    private KafkaMounts() {
    }

    /**
     * @param what      the pod, for messages
     * @param podSpec   the pod's spec (volumes and containers)
     * @param container the container that runs the job or the gateway
     * @param args      its arguments
     * @param principal the principal it must run as
     */
    static void assertRunsAs(String what, JsonNode podSpec, JsonNode container, List<String> args,
                             String principal) {
        assertThat(args).as(what).containsSubsequence("--bootstrap-servers", KafkaUsersManifest.BOOTSTRAP_SERVERS)
                .containsSubsequence("--kafka-properties", KafkaUsersManifest.CLIENT_PROPERTIES);
        Map<String, JsonNode> volumes = new HashMap<>();
        podSpec.path("volumes").forEach(volume -> volumes.put(volume.path("name").asText(), volume));
        Map<String, String> mounts = new HashMap<>();
        container.path("volumeMounts").forEach(mount -> mounts.put(mount.path("mountPath").asText(),
                mount.path("name").asText()));

        JsonNode client = volumes.get(mounts.get(KafkaUsersManifest.CLIENT_DIR));
        assertThat(client).as(what + ": a volume at " + KafkaUsersManifest.CLIENT_DIR).isNotNull();
        assertThat(client.path("configMap").path("name").asText()).as(what)
                .isEqualTo(KafkaUsersManifest.CLIENT_CONFIG_MAP);
        JsonNode user = volumes.get(mounts.get(KafkaUsersManifest.USER_DIR));
        assertThat(user).as(what + ": a volume at " + KafkaUsersManifest.USER_DIR).isNotNull();
        assertThat(user.path("secret").path("secretName").asText()).as(what + " runs as").isEqualTo(principal);
        JsonNode ca = volumes.get(mounts.get(KafkaUsersManifest.CA_DIR));
        assertThat(ca).as(what + ": a volume at " + KafkaUsersManifest.CA_DIR).isNotNull();
        assertThat(ca.path("secret").path("secretName").asText()).as(what).isEqualTo(KafkaUsersManifest.CA_SECRET);
    }
}
