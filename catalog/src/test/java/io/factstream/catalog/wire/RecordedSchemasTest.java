package io.factstream.catalog.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.EventEnvelope;

/**
 * Guards the recorded versions of the wire and state records: every version ever released is kept and pinned by
 * fingerprint in {@value #PINS}, the current schema is the latest recorded version and reads every earlier one. A
 * schema change fails here, with the file to add and the line to pin, until its new version is recorded.
 */
class RecordedSchemasTest {

    static final String PINS = "catalog/src/test/resources/recorded-schemas.txt";
    private static final String VERSIONS = "catalog/src/main/resources" + RecordedSchemas.DIRECTORY;
    /** Where the test writes the schema of a version to record; Surefire runs in the module's directory. */
    private static final Path CANDIDATES = Path.of("target", "recorded-schemas");

    static Stream<Schema> recordedRecords() {
        return Stream.concat(RecordedSchemas.WIRE.stream(), RecordedSchemas.STATE.stream()).distinct();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordedRecords")
    void theCurrentSchemaIsItsLatestRecordedVersionAndReadsEveryEarlierOne(Schema current) throws IOException {
        List<Schema> versions = RecordedSchemas.versions(current.getFullName());
        Files.createDirectories(CANDIDATES);
        Files.writeString(CANDIDATES.resolve(RecordedSchemas.file(current.getFullName(), versions.size() + 1)),
                current.toString(true) + "\n", UTF_8);

        assertThat(problems(current, versions, pins().getOrDefault(current.getFullName(), Map.of()))).isEmpty();
    }

    @Test
    void everyPinnedRecordIsARecordedOne() throws IOException {
        Set<String> recorded = new HashSet<>(recordedRecords().map(Schema::getFullName).toList());

        assertThat(pins().keySet()).as("records pinned in %s", PINS).allMatch(recorded::contains);
    }

    @Test
    void aChangedEnvelopeWithoutItsRecordedVersionFailsWithTheFileToAddAndTheLineToPin() throws IOException {
        String name = CommandEnvelope.getClassSchema().getFullName();
        List<Schema> versions = RecordedSchemas.versions(name);
        int latest = versions.size();
        Schema changed = withField(versions.get(latest - 1),
                "{\"name\": \"tenant\", \"type\": [\"null\", \"string\"], \"default\": null}");

        assertThat(problems(changed, versions, pins().get(name))).singleElement().asString()
                .contains("differs from its latest recorded version (v" + latest + ")",
                        "target/recorded-schemas/CommandEnvelope-v" + (latest + 1) + ".avsc",
                        VERSIONS + "CommandEnvelope-v" + (latest + 1) + ".avsc",
                        name + " " + (latest + 1) + " " + fingerprint(changed), PINS);
    }

    @Test
    void aRecordedVersionThatChangedFails() throws IOException {
        String name = EventEnvelope.getClassSchema().getFullName();
        List<Schema> versions = new ArrayList<>(RecordedSchemas.versions(name));
        Schema latest = versions.get(versions.size() - 1);
        versions.set(0, withField(versions.get(0), "{\"name\": \"extra\", \"type\": \"int\", \"default\": 0}"));

        assertThat(problems(latest, versions, pins().get(name))).singleElement().asString()
                .contains("EventEnvelope-v1.avsc", "never changes");
    }

    @Test
    void aCurrentSchemaThatCannotReadAnEarlierVersionFails() throws IOException {
        String name = CommandEnvelope.getClassSchema().getFullName();
        List<Schema> versions = new ArrayList<>(RecordedSchemas.versions(name));
        Schema unreadable = withField(versions.get(versions.size() - 1),
                "{\"name\": \"tenant\", \"type\": \"string\"}");
        versions.add(unreadable);
        Map<Integer, String> pinned = new TreeMap<>(pins().get(name));
        pinned.put(versions.size(), fingerprint(unreadable));

        assertThat(problems(unreadable, versions, pinned)).hasSize(versions.size() - 1)
                .allSatisfy(problem -> assertThat(problem).contains("cannot read its version", "tenant"));
    }

    @Test
    void theStoreResolvesExactlyTheVersionsOfOneRecord() {
        Schema commands = CommandEnvelope.getClassSchema();
        var store = RecordedSchemas.versionsOf(commands);

        for (Schema version : RecordedSchemas.versions(commands.getFullName())) {
            assertThat(store.findByFingerprint(SchemaNormalization.parsingFingerprint64(version))).isEqualTo(version);
        }
        assertThat(store.findByFingerprint(SchemaNormalization.parsingFingerprint64(commands))).isNotNull();
        assertThat(store.findByFingerprint(SchemaNormalization.parsingFingerprint64(EventEnvelope.getClassSchema())))
                .isNull();
    }

    /**
     * What is wrong with a record's recorded versions, one line each: a version changed or missing against its pin,
     * one the current schema cannot read, or a current schema that is not the latest version.
     */
    static List<String> problems(Schema current, List<Schema> versions, Map<Integer, String> pinned) {
        String name = current.getFullName();
        List<String> problems = new ArrayList<>();
        for (int version = 1; version <= versions.size(); version++) {
            String file = RecordedSchemas.file(name, version);
            String fingerprint = fingerprint(versions.get(version - 1));
            String pin = pinned.get(version);
            if (pin == null) {
                problems.add(String.format("%s%s is recorded but not pinned: add the line `%s %d %s` to %s", VERSIONS,
                        file, name, version, fingerprint, PINS));
            } else if (!pin.equals(fingerprint)) {
                problems.add(String.format("%s%s has fingerprint %s, pinned as %s: a released version never changes; "
                        + "restore the file from git", VERSIONS, file, fingerprint, pin));
            }
        }
        pinned.keySet().stream().filter(version -> version > versions.size()).forEach(version -> problems.add(
                String.format("%s %d is pinned in %s but %s%s is missing: restore it from git", name, version, PINS,
                        VERSIONS, RecordedSchemas.file(name, version))));
        for (int version = 1; version <= versions.size(); version++) {
            var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(current, versions.get(version - 1));
            if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
                problems.add(String.format("the current %s cannot read its version %d, which records and savepoints "
                                + "hold: %s", current.getName(), version,
                        compatibility.getResult().getIncompatibilities().stream()
                                .map(i -> i.getMessage() + " at " + i.getLocation()).toList()));
            }
        }
        int latest = versions.size();
        if (latest == 0 || !resolutionForm(current).equals(resolutionForm(versions.get(latest - 1)))) {
            String next = RecordedSchemas.file(name, latest + 1);
            problems.add(String.format("%s %s: records and savepoints of every released version must stay readable, "
                            + "so record the new version: copy %s (this test writes it) to %s%s, and add the line "
                            + "`%s %d %s` to %s", name,
                    latest == 0 ? "has no recorded version" : "differs from its latest recorded version (v" + latest
                            + ")", CANDIDATES.resolve(next), VERSIONS, next, name, latest + 1, fingerprint(current),
                    PINS));
        }
        return problems;
    }

    /** The pins, by record and version. */
    private static Map<String, Map<Integer, String>> pins() throws IOException {
        Map<String, Map<Integer, String>> pins = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("..").resolve(PINS), UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.trim().split("\\s+");
            assertThat(words).as("a line of %s: <record> <version> <fingerprint>", PINS).hasSize(3);
            assertThat(pins.computeIfAbsent(words[0], record -> new TreeMap<>())
                    .put(Integer.parseInt(words[1]), words[2])).as("%s pinned twice", line).isNull();
        }
        return pins;
    }

    private static String fingerprint(Schema schema) {
        return HexFormat.of().toHexDigits(SchemaNormalization.parsingFingerprint64(schema));
    }

    /** The schema with one more field. */
    private static Schema withField(Schema schema, String field) {
        String json = schema.toString();
        return new Schema.Parser().parse(json.replaceFirst("\"fields\":\\[", "\"fields\":[" + field + ","));
    }

    /**
     * What Avro resolution sees of a schema: names, aliases, types, defaults, orders and symbols, without docs and
     * other properties. Two versions with the same fingerprint can still differ here, in a default.
     */
    static String resolutionForm(Schema schema) {
        StringBuilder form = new StringBuilder();
        resolutionForm(schema, form, new HashSet<>());
        return form.toString();
    }

    private static void resolutionForm(Schema schema, StringBuilder form, Set<String> named) {
        switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> {
                if (!named.add(schema.getFullName())) {
                    form.append(schema.getFullName());
                    return;
                }
                form.append(schema.getType()).append(' ').append(schema.getFullName()).append(schema.getAliases());
                switch (schema.getType()) {
                    case RECORD -> {
                        form.append('{');
                        for (Schema.Field field : schema.getFields()) {
                            form.append(field.name()).append(field.aliases()).append(':');
                            resolutionForm(field.schema(), form, named);
                            form.append('=').append(field.hasDefaultValue() ? field.defaultVal() : "-")
                                    .append(' ').append(field.order()).append(';');
                        }
                        form.append('}');
                    }
                    case ENUM -> form.append(schema.getEnumSymbols()).append('=').append(schema.getEnumDefault());
                    default -> form.append('[').append(schema.getFixedSize()).append(']');
                }
            }
            case ARRAY -> {
                form.append("array<");
                resolutionForm(schema.getElementType(), form, named);
                form.append('>');
            }
            case MAP -> {
                form.append("map<");
                resolutionForm(schema.getValueType(), form, named);
                form.append('>');
            }
            case UNION -> {
                form.append("union<");
                schema.getTypes().forEach(branch -> {
                    resolutionForm(branch, form, named);
                    form.append('|');
                });
                form.append('>');
            }
            default -> form.append(schema.getType())
                    .append(schema.getLogicalType() == null ? "" : "/" + schema.getLogicalType().getName());
        }
    }
}
