package io.factstream.statetools.upgrade;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * The fields a reader schema has that the writer's had not, and the other way round, in every record the two
 * share (by full name, at any depth: fields, unions, arrays, maps). Avro resolves both: an added field reads as its
 * default, a removed one is skipped. Whether that default is right for state written before is for a migration to
 * say.
 */
public final class SchemaChanges {

    private SchemaChanges() {
    }

    /**
     * A field one side has and the other has not.
     *
     * @param record       the record's full name
     * @param field        the field's name
     * @param defaultValue the reader's default, as JSON, for an added field; null for a removed one
     */
    public record FieldChange(String record, String field, String defaultValue) {

        /** {@code record.field}, the name migrations cover it by. */
        public String path() {
            return record + "." + field;
        }
    }

    /** The fields of the reader's records that the writer's same-named records lack (by name and aliases). */
    public static List<FieldChange> added(Schema writer, Schema reader) {
        return missing(reader, writer, true);
    }

    /** The fields of the writer's records that the reader's same-named records no longer have. */
    public static List<FieldChange> removed(Schema writer, Schema reader) {
        return missing(writer, reader, false);
    }

    /** The fields of {@code having}'s records that the same-named records of {@code other} have no match for. */
    private static List<FieldChange> missing(Schema having, Schema other, boolean withDefault) {
        Map<String, Schema> others = records(other);
        List<FieldChange> missing = new ArrayList<>();
        records(having).forEach((name, record) -> {
            Schema counterpart = others.get(name);
            if (counterpart == null) {
                return; // a record only one side has: nothing of it to resolve
            }
            for (Schema.Field field : record.getFields()) {
                if (counterpart.getFields().stream().noneMatch(candidate -> sameField(field, candidate))) {
                    missing.add(new FieldChange(name, field.name(), withDefault ? json(field.defaultVal()) : null));
                }
            }
        });
        return List.copyOf(missing);
    }

    /** Whether Avro resolves one field to the other: the same name, or one's name among the other's aliases. */
    private static boolean sameField(Schema.Field a, Schema.Field b) {
        return a.name().equals(b.name()) || a.aliases().contains(b.name()) || b.aliases().contains(a.name());
    }

    /**
     * What Avro finds wrong in reading the writer's data with the reader's schema, one line per problem, each with
     * the {@code record.field} it is at. Each record the two share is checked on its own, so that a field whose
     * type changed is named, not only the union that holds its record.
     */
    public static List<String> incompatibilities(Schema writer, Schema reader) {
        Map<String, Schema> written = records(writer);
        List<String> found = new ArrayList<>();
        records(reader).forEach((name, record) -> {
            Schema before = written.get(name);
            if (before != null) {
                for (SchemaCompatibility.Incompatibility problem : SchemaCompatibility
                        .checkReaderWriterCompatibility(record, before).getResult().getIncompatibilities()) {
                    if (problem.getType() != SchemaCompatibility.SchemaIncompatibilityType.MISSING_UNION_BRANCH) {
                        found.add(fieldAt(record, problem.getLocation()) + ": " + problem.getMessage());
                    }
                }
            }
        });
        if (found.isEmpty()) { // nothing inside a shared record: the change is in how they are put together
            SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult().getIncompatibilities()
                    .forEach(problem -> found.add(fieldAt(reader, problem.getLocation()) + ": "
                            + problem.getMessage()));
        }
        return found.stream().distinct().toList();
    }

    /**
     * The field an Avro incompatibility's location (a JSON pointer into the reader's schema, such as
     * {@code /fields/2/type/3/fields/4/type}) points at, as {@code record.field}; the pointer itself when it points
     * at no field.
     */
    static String fieldAt(Schema reader, String location) {
        Schema at = reader;
        String field = null;
        String[] steps = location.replaceFirst("^/", "").split("/");
        for (int i = 0; i < steps.length; i++) {
            String step = steps[i];
            if (step.equals("fields") && i + 1 < steps.length && at.getType() == Schema.Type.RECORD) {
                Schema.Field named = at.getFields().get(Integer.parseInt(steps[++i]));
                field = at.getFullName() + "." + named.name();
                at = named.schema();
            } else if (step.equals("items") && at.getType() == Schema.Type.ARRAY) {
                at = at.getElementType();
            } else if (step.equals("values") && at.getType() == Schema.Type.MAP) {
                at = at.getValueType();
            } else if (step.matches("\\d+") && at.getType() == Schema.Type.UNION) {
                at = at.getTypes().get(Integer.parseInt(step));
            }
        }
        return field != null ? field : location;
    }

    /** Every named record reachable from the schema, by full name, in the order first met. */
    private static Map<String, Schema> records(Schema schema) {
        Map<String, Schema> records = new LinkedHashMap<>();
        collect(schema, records);
        return records;
    }

    private static void collect(Schema schema, Map<String, Schema> records) {
        switch (schema.getType()) {
            case RECORD -> {
                if (records.putIfAbsent(schema.getFullName(), schema) == null) {
                    schema.getFields().forEach(field -> collect(field.schema(), records));
                }
            }
            case UNION -> schema.getTypes().forEach(branch -> collect(branch, records));
            case ARRAY -> collect(schema.getElementType(), records);
            case MAP -> collect(schema.getValueType(), records);
            default -> {
            }
        }
    }

    private static String json(Object defaultValue) {
        if (defaultValue == null || defaultValue == JsonProperties.NULL_VALUE) {
            return "null";
        }
        return defaultValue instanceof CharSequence text ? "\"" + text + "\"" : String.valueOf(defaultValue);
    }
}
