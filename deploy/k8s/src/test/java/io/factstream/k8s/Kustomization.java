package io.factstream.k8s;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * A kustomization's resources as {@code kubectl apply -k} creates them: each resource file with every patch whose
 * target kind matches merged in. Patches merge the way kustomize merges them into a custom resource it knows no
 * schema of: maps key by key; any other value of the patch replaces the resource's.
 */
final class Kustomization {

    private static final YAMLMapper YAML = new YAMLMapper();

    private final Path directory;
    private final JsonNode kustomization;

    private Kustomization(Path directory, JsonNode kustomization) {
        this.directory = directory;
        this.kustomization = kustomization;
    }

    /** Reads {@code kustomization.yaml} in this directory. */
    static Kustomization read(Path directory) throws IOException {
        return new Kustomization(directory, YAML.readTree(directory.resolve("kustomization.yaml").toFile()));
    }

    /** The resource files, as listed. */
    List<String> resources() {
        List<String> files = new ArrayList<>();
        kustomization.path("resources").forEach(file -> files.add(file.asText()));
        return files;
    }

    /** The patch files, as listed. */
    List<String> patches() {
        List<String> files = new ArrayList<>();
        kustomization.path("patches").forEach(patch -> files.add(patch.path("path").asText()));
        return files;
    }

    /** Every resource with its patches applied, in the order listed. */
    List<ObjectNode> render() throws IOException {
        List<ObjectNode> rendered = new ArrayList<>();
        for (String file : resources()) {
            ObjectNode resource = (ObjectNode) YAML.readTree(directory.resolve(file).toFile());
            for (JsonNode patch : kustomization.path("patches")) {
                if (appliesTo(patch.path("target"), resource)) {
                    ObjectNode body = (ObjectNode) YAML.readTree(directory.resolve(patch.path("path").asText()).toFile());
                    // A patch with a target keeps the name of every resource it patches.
                    if (body.get("metadata") instanceof ObjectNode metadata) {
                        metadata.remove("name");
                    }
                    merge(resource, body);
                }
            }
            rendered.add(resource);
        }
        return rendered;
    }

    private static boolean appliesTo(JsonNode target, JsonNode resource) {
        if (target.size() != 1 || !target.has("kind")) {
            throw new IllegalStateException("only patch targets selecting a kind are rendered here, got " + target);
        }
        return target.path("kind").asText().equals(resource.path("kind").asText());
    }

    private static void merge(ObjectNode resource, ObjectNode patch) {
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            JsonNode existing = resource.get(field.getKey());
            if (existing instanceof ObjectNode map && field.getValue() instanceof ObjectNode patchMap) {
                merge(map, patchMap);
            } else {
                resource.set(field.getKey(), field.getValue());
            }
        }
    }
}
