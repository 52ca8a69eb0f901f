package io.factstream.statetools.upgrade;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.avro.Schema;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializerSnapshot;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.util.StringUtils;

/**
 * The judgement of a savepoint against a new version of its job, before anything stops: for every operator that
 * has state, whether the new version has an operator with its uid to restore it into, within its max parallelism;
 * for every keyed state the new operator declares, whether the written schema resolves to the new one (Avro's own
 * compatibility check, writer to reader, as Flink's restore runs it), and which fields it adds whose default a
 * shipped migration says is wrong for state written before.
 *
 * @param findings one line each, the worst first
 */
public record UpgradePlan(List<Finding> findings) {

    /** How an upgrade would go; the exit code of {@code plan-upgrade}. */
    public enum Verdict {
        /** The new version restores every state and means by it what the old one meant. */
        SAFE(0, "ok"),
        /** It restores, but a field would read as a default that is wrong for old state: a migration runs first. */
        NEEDS_MIGRATION(1, "migrate"),
        /** Flink would refuse the savepoint, or the new version would lose or misread state. */
        CANNOT_RESTORE(2, "refuse");

        private final int exitCode;
        private final String tag;

        Verdict(int exitCode, String tag) {
            this.exitCode = exitCode;
            this.tag = tag;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /**
     * One thing the plan found about one operator or state.
     *
     * @param migration the migration that must run first, for {@link Verdict#NEEDS_MIGRATION}; else null
     */
    public record Finding(Verdict verdict, String subject, String message, String migration) {

        Finding(Verdict verdict, String subject, String message) {
            this(verdict, subject, message, null);
        }

        @Override
        public String toString() {
            return String.format("%-8s %s: %s", verdict.tag, subject, message);
        }
    }

    public UpgradePlan {
        findings = findings.stream().sorted(Comparator.comparing(Finding::verdict).reversed()).toList();
    }

    /** The worst of the findings. */
    public Verdict verdict() {
        return findings.stream().map(Finding::verdict).max(Comparator.naturalOrder()).orElse(Verdict.SAFE);
    }

    /** The migrations the plan asks for, by name. */
    public List<String> migrations() {
        return findings.stream().map(Finding::migration).filter(Objects::nonNull).distinct().toList();
    }

    /**
     * Judges the savepoint against the new job.
     *
     * @param migrations the shipped migrations by the field each covers ({@code record.field}, see
     *                   {@link SchemaChanges.FieldChange#path})
     */
    public static UpgradePlan judge(SavepointLayout savepoint, JobLayout job, Map<String, String> migrations) {
        Map<OperatorID, JobLayout.Operator> byId = job.operators().stream()
                .collect(Collectors.toMap(JobLayout.Operator::id, Function.identity(), (a, b) -> a));
        List<Finding> findings = new ArrayList<>();
        List<String> undeclared = new ArrayList<>();
        for (SavepointLayout.Operator old : savepoint.operators()) {
            JobLayout.Operator now = byId.remove(old.id());
            if (now == null) {
                findings.add(new Finding(Verdict.CANNOT_RESTORE, old.label(), "holds " + holdings(old)
                        + ", and no operator of the new job has its uid: Flink refuses the savepoint (or, with "
                        + "--allowNonRestoredState, drops that state)"));
                continue;
            }
            String subject = now.uid().orElse(now.name());
            if (now.parallelism() > old.maxParallelism()) {
                findings.add(new Finding(Verdict.CANNOT_RESTORE, subject, "parallelism " + now.parallelism()
                        + " is above the savepoint's max parallelism " + old.maxParallelism()));
            }
            if (now.maxParallelism() > 0 && now.maxParallelism() != old.maxParallelism()) {
                findings.add(new Finding(Verdict.CANNOT_RESTORE, subject, "max parallelism " + now.maxParallelism()
                        + " set, the savepoint's is " + old.maxParallelism() + ": key groups cannot change"));
            }
            if (now.declares()) {
                findings.addAll(keyedStates(subject, old, now, migrations));
            } else {
                undeclared.add(subject + " (" + holdings(old) + ")");
            }
        }
        if (!undeclared.isEmpty()) {
            // Sources' splits and sinks' transactions: versioned by the connectors' own serializers.
            findings.add(new Finding(Verdict.SAFE, undeclared.size() + " operators", "restore their own state into "
                    + "the operator of the same uid, which their serializers check at restore: "
                    + String.join(", ", undeclared)));
        }
        for (JobLayout.Operator added : byId.values()) {
            if (!added.keyedStates().isEmpty()) {
                findings.add(new Finding(Verdict.SAFE, added.uid().orElse(added.name()), "is new: "
                        + quoted(added.keyedStates().keySet()) + " start empty"));
            }
        }
        return new UpgradePlan(findings);
    }

    private static List<Finding> keyedStates(String subject, SavepointLayout.Operator old, JobLayout.Operator now,
                                             Map<String, String> migrations) {
        List<Finding> findings = new ArrayList<>();
        for (SavepointLayout.KeyedState state : old.keyedStates()) {
            if (state.timers()) {
                continue; // Flink's own, restored with the operator
            }
            TypeSerializerSnapshot<?> reader = now.keyedStates().get(state.name());
            String about = "state '" + state.name() + "'";
            if (reader == null) {
                findings.add(new Finding(Verdict.CANNOT_RESTORE, subject, about + " is not read by the new "
                        + "version (it reads " + quoted(now.keyedStates().keySet()) + "): every key would start "
                        + "afresh"));
                continue;
            }
            findings.addAll(resolve(subject, about, state.serializer(), reader, migrations));
        }
        for (String name : now.keyedStates().keySet()) {
            if (old.keyedStates().stream().noneMatch(state -> state.name().equals(name))) {
                findings.add(new Finding(Verdict.SAFE, subject, "state '" + name + "' is new: it starts empty"));
            }
        }
        return findings;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<Finding> resolve(String subject, String about, TypeSerializerSnapshot<?> written,
                                         TypeSerializerSnapshot<?> reader, Map<String, String> migrations) {
        TypeSerializerSchemaCompatibility<?> compatibility =
                ((TypeSerializerSnapshot) reader).resolveSchemaCompatibility(written);
        Optional<Schema> writerSchema = avroSchema(written);
        Optional<Schema> readerSchema = avroSchema(reader);
        if (compatibility.isIncompatible()) {
            String why = writerSchema.isPresent() && readerSchema.isPresent()
                    ? String.join("; ", SchemaChanges.incompatibilities(writerSchema.get(), readerSchema.get()))
                    : "written by " + written.getClass().getSimpleName() + ", read by "
                    + reader.getClass().getSimpleName();
            return List.of(new Finding(Verdict.CANNOT_RESTORE, subject, about + " does not resolve to the new "
                    + "schema: " + why));
        }
        if (compatibility.isCompatibleAsIs() || writerSchema.isEmpty() || readerSchema.isEmpty()) {
            return List.of(new Finding(Verdict.SAFE, subject, about + " restores as written"));
        }
        List<Finding> findings = new ArrayList<>();
        for (SchemaChanges.FieldChange field : SchemaChanges.added(writerSchema.get(), readerSchema.get())) {
            String migration = migrations.get(field.path());
            findings.add(migration == null
                    ? new Finding(Verdict.SAFE, subject, about + ": " + field.path() + " added, read as its "
                    + "default " + field.defaultValue() + " in state written before")
                    : new Finding(Verdict.NEEDS_MIGRATION, subject, about + ": " + field.path() + " added, and "
                    + "its default " + field.defaultValue() + " is wrong for state written before: run the "
                    + "migration " + migration + " on the savepoint first (state-tools migrate --migration "
                    + migration + ")", migration));
        }
        for (SchemaChanges.FieldChange field : SchemaChanges.removed(writerSchema.get(), readerSchema.get())) {
            findings.add(new Finding(Verdict.SAFE, subject, about + ": " + field.path()
                    + " removed, its values are dropped"));
        }
        if (findings.isEmpty()) {
            findings.add(new Finding(Verdict.SAFE, subject, about + " restores through Avro schema resolution"));
        }
        return findings;
    }

    /**
     * The schema an Avro serializer snapshot holds. The snapshot keeps it private; its format (the runtime class,
     * then the schema, each a Flink string) is the savepoint format, versioned by the snapshot.
     */
    static Optional<Schema> avroSchema(TypeSerializerSnapshot<?> snapshot) {
        if (!(snapshot instanceof AvroSerializerSnapshot<?> avro)) {
            return Optional.empty();
        }
        try {
            DataOutputSerializer out = new DataOutputSerializer(4096);
            avro.writeSnapshot(out);
            DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
            StringUtils.readString(in); // the runtime class
            return Optional.of(new Schema.Parser().parse(StringUtils.readString(in)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read an Avro serializer snapshot: " + e.getMessage(), e);
        }
    }

    private static String holdings(SavepointLayout.Operator operator) {
        List<String> parts = new ArrayList<>();
        List<String> keyed = operator.keyedStates().stream().filter(state -> !state.timers())
                .map(SavepointLayout.KeyedState::name).toList();
        if (!keyed.isEmpty()) {
            parts.add("keyed state " + quoted(keyed));
        }
        if (operator.keyedStates().stream().anyMatch(SavepointLayout.KeyedState::timers)) {
            parts.add("timers");
        }
        if (!operator.operatorStates().isEmpty()) {
            parts.add("operator state " + quoted(operator.operatorStates()));
        }
        return parts.isEmpty() ? "state" : String.join(", ", parts);
    }

    private static String quoted(Collection<String> names) {
        return names.isEmpty() ? "nothing" : names.stream().map(name -> "'" + name + "'")
                .collect(Collectors.joining(", "));
    }
}
