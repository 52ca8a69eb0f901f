package io.factstream.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.factstream.jobs.PlatformJob;

/**
 * Writes {@code deploy/k8s/flink/}: one {@code FlinkDeployment} per job of {@link PlatformJob#all()}, and the
 * {@code kustomization.yaml} that deploys them with {@code common.yaml} patched onto each. {@code ManifestsTest}
 * fails when the committed files are not what this writes.
 *
 * <p>Run: {@code mvn -q -pl deploy/k8s -am process-test-classes -Pmanifests}.
 */
public final class FlinkDeploymentsManifest {

    /**
     * Where the jobs reach Kafka: the TLS listener of the Strimzi cluster of {@link KafkaTopicsManifest}, each as
     * the {@code KafkaUser} of its principal ({@link KafkaUsersManifest}).
     */
    static final String BOOTSTRAP_SERVERS = KafkaUsersManifest.BOOTSTRAP_SERVERS;

    /** Parallelism of every job: a share of the 12 partitions of its topics for each subtask. */
    static final int PARALLELISM = 2;

    /** Where checkpoints and savepoints go: a placeholder bucket, set per cluster (see README.md). */
    static final String STATE = "s3://factstream-state";

    private FlinkDeploymentsManifest() {
    }

    /** The files, by name: each job's deployment, then the kustomization. */
    public static Map<String, String> render() {
        Map<String, String> files = new LinkedHashMap<>();
        List<String> resources = new ArrayList<>();
        for (PlatformJob job : PlatformJob.all()) {
            String file = job.name() + ".yaml";
            files.put(file, deployment(job));
            resources.add(file);
        }
        files.put("kustomization.yaml", kustomization(resources));
        return files;
    }

    private static String deployment(PlatformJob job) {
        String name = "factstream-" + job.name();
        List<String> args = new ArrayList<>(job.args());
        args.addAll(List.of("--bootstrap-servers", BOOTSTRAP_SERVERS, "--kafka-properties",
                KafkaUsersManifest.CLIENT_PROPERTIES));
        return "# Generated from io.factstream.jobs.PlatformJob by io.factstream.k8s.FlinkDeploymentsManifest; do not "
                + "edit: patch it in an overlay.\n"
                + "# " + job.summary() + "\n"
                + "apiVersion: flink.apache.org/v1beta1\n"
                + "kind: FlinkDeployment\n"
                + "metadata:\n"
                + "  name: " + name + "\n"
                + "spec:\n"
                + "  flinkConfiguration:\n"
                + "    # Shared storage; the bucket is a placeholder the cluster's operator sets (see README.md).\n"
                + "    execution.checkpointing.dir: \"" + STATE + "/checkpoints/" + name + "\"\n"
                + "    execution.checkpointing.savepoint-dir: \"" + STATE + "/savepoints/" + name + "\"\n"
                + "  job:\n"
                + "    entryClass: " + job.entryClass() + "\n"
                + "    args: [" + String.join(", ", args.stream().map(arg -> "\"" + arg + "\"").toList()) + "]\n"
                + "    parallelism: " + PARALLELISM + "\n"
                + "  # The Kafka client properties, the Secret of the job's KafkaUser (" + job.name() + ") and the "
                + "cluster CA,\n"
                + "  # mounted into the JobManager and the TaskManagers by common.yaml.\n"
                + "  podTemplate:\n"
                + "    spec:\n"
                + "      volumes:\n"
                + String.join("", KafkaUsersManifest.volumes(job.name()).stream()
                        .map(line -> "        " + line + "\n").toList());
    }

    private static String kustomization(List<String> resources) {
        StringBuilder yaml = new StringBuilder()
                .append("# Generated from io.factstream.jobs.PlatformJob by "
                        + "io.factstream.k8s.FlinkDeploymentsManifest; do not edit.\n")
                .append("# The ").append(resources.size()).append(" factstream jobs, one Flink application cluster "
                        + "each: kubectl apply -k deploy/k8s/flink\n")
                .append("apiVersion: kustomize.config.k8s.io/v1beta1\n")
                .append("kind: Kustomization\n")
                .append("# Each job reads Kafka at ").append(BOOTSTRAP_SERVERS).append(" (the Strimzi cluster \"")
                .append(KafkaTopicsManifest.CLUSTER).append("\" in the same namespace;\n")
                .append("# from another namespace, ").append(KafkaTopicsManifest.CLUSTER)
                .append("-kafka-bootstrap.<namespace>.svc:9093), as its own KafkaUser.\n")
                .append("# The jobs need no transactional id prefix of their own: each sink's transactional ids "
                        + "start with the\n# prefix and the sink's uid, unique per job.\n")
                .append("resources:\n");
        resources.forEach(file -> yaml.append("  - ").append(file).append('\n'));
        yaml.append("patches:\n")
                .append("  - path: common.yaml\n")
                .append("    target:\n")
                .append("      kind: FlinkDeployment\n");
        return yaml.toString();
    }

    /** Writes the files into the directory given as the only argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: FlinkDeploymentsManifest <deploy/k8s/flink>");
        }
        for (Map.Entry<String, String> file : render().entrySet()) {
            Files.writeString(Path.of(args[0], file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        }
    }
}
