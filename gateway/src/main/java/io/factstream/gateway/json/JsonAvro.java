package io.factstream.gateway.json;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Plain JSON to the catalog's Avro records, guided by the record's schema, the way a client writes them (and
 * {@link io.factstream.catalog.wire.AvroJson} prints them): records as objects, enums as their symbols, optional
 * fields ({@code null} unions) as the value or {@code null}, times as ISO-8601 strings, bytes as base64. It is
 * strict: an unknown field, a missing required field, a value of the wrong type or out of range fails with a
 * {@link JsonAvroException} that names the field's path, so that a client's mistake never reaches Kafka.
 */
public final class JsonAvro {

    private JsonAvro() {
    }

    /** The record of this schema that the JSON object describes, as the generated class. */
    public static <T extends IndexedRecord> T toRecord(JsonNode json, Schema schema) throws JsonAvroException {
        @SuppressWarnings("unchecked")
        T record = (T) value(json, schema, schema.getName());
        return record;
    }

    private static Object value(JsonNode json, Schema schema, String path) throws JsonAvroException {
        switch (schema.getType()) {
            case RECORD:
                return record(json, schema, path);
            case UNION:
                return union(json, schema, path);
            case ENUM:
                String symbol = text(json, path, "one of " + schema.getEnumSymbols());
                if (!schema.getEnumSymbols().contains(symbol)) {
                    throw new JsonAvroException(path, "is '" + symbol + "', not one of " + schema.getEnumSymbols());
                }
                return SpecificData.get().createEnum(symbol, schema);
            case ARRAY:
                if (!json.isArray()) {
                    throw new JsonAvroException(path, "must be an array, not " + kind(json));
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < json.size(); i++) {
                    items.add(value(json.get(i), schema.getElementType(), path + "[" + i + "]"));
                }
                return items;
            case MAP:
                if (!json.isObject()) {
                    throw new JsonAvroException(path, "must be an object, not " + kind(json));
                }
                Map<String, Object> map = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    map.put(entry.getKey(), value(entry.getValue(), schema.getValueType(),
                            path + "." + entry.getKey()));
                }
                return map;
            case STRING:
                return text(json, path, "a string");
            case INT:
                if (!json.isIntegralNumber() || !json.canConvertToInt()) {
                    throw new JsonAvroException(path, "must be a whole number of 32 bits, not " + kind(json));
                }
                return json.intValue();
            case LONG:
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    return instant(json, path);
                }
                if (!json.isIntegralNumber() || !json.canConvertToLong()) {
                    throw new JsonAvroException(path, "must be a whole number, not " + kind(json));
                }
                return json.longValue();
            case DOUBLE:
            case FLOAT:
                if (!json.isNumber()) {
                    throw new JsonAvroException(path, "must be a number, not " + kind(json));
                }
                return schema.getType() == Schema.Type.DOUBLE ? json.doubleValue() : json.floatValue();
            case BOOLEAN:
                if (!json.isBoolean()) {
                    throw new JsonAvroException(path, "must be true or false, not " + kind(json));
                }
                return json.booleanValue();
            case BYTES:
                try {
                    return ByteBuffer.wrap(Base64.getDecoder().decode(text(json, path, "base64 text")));
                } catch (IllegalArgumentException e) {
                    throw new JsonAvroException(path, "is not base64");
                }
            case NULL:
                if (!json.isNull()) {
                    throw new JsonAvroException(path, "must be null, not " + kind(json));
                }
                return null;
            default:
                throw new JsonAvroException(path, "has a type the gateway does not read: " + schema.getType());
        }
    }

    private static IndexedRecord record(JsonNode json, Schema schema, String path) throws JsonAvroException {
        if (!json.isObject()) {
            throw new JsonAvroException(path, "must be an object, not " + kind(json));
        }
        Set<String> known = new HashSet<>();
        schema.getFields().forEach(field -> known.add(field.name()));
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new JsonAvroException(path + "." + name, "is no field of " + schema.getName() + "; its fields are "
                        + schema.getFields().stream().map(Schema.Field::name).toList());
            }
        }
        IndexedRecord record = (IndexedRecord) SpecificData.get().newRecord(null, schema);
        for (Schema.Field field : schema.getFields()) {
            JsonNode given = json.get(field.name());
            String fieldPath = path + "." + field.name();
            if (given == null) {
                if (!field.hasDefaultValue()) {
                    throw new JsonAvroException(fieldPath, "is missing");
                }
                record.put(field.pos(), SpecificData.get().getDefaultValue(field));
            } else {
                record.put(field.pos(), value(given, field.schema(), fieldPath));
            }
        }
        return record;
    }

    /** The catalog's unions in commands are optional values: null, or the one other branch. */
    private static Object union(JsonNode json, Schema schema, String path) throws JsonAvroException {
        List<Schema> branches = schema.getTypes();
        if (json.isNull()) {
            if (branches.stream().noneMatch(b -> b.getType() == Schema.Type.NULL)) {
                throw new JsonAvroException(path, "must not be null");
            }
            return null;
        }
        List<Schema> values = branches.stream().filter(b -> b.getType() != Schema.Type.NULL).toList();
        if (values.size() != 1) {
            throw new JsonAvroException(path, "is a union of " + values.size() + " types, which the gateway does not "
                    + "read");
        }
        return value(json, values.get(0), path);
    }

    private static String text(JsonNode json, String path, String expected) throws JsonAvroException {
        if (!json.isTextual()) {
            throw new JsonAvroException(path, "must be " + expected + ", not " + kind(json));
        }
        return json.textValue();
    }

    private static Instant instant(JsonNode json, String path) throws JsonAvroException {
        if (json.isIntegralNumber()) {
            return Instant.ofEpochMilli(json.longValue());
        }
        try {
            return Instant.parse(text(json, path, "an ISO-8601 time"));
        } catch (DateTimeParseException e) {
            throw new JsonAvroException(path, "is not an ISO-8601 time such as 2026-12-01T12:00:00Z");
        }
    }

    private static String kind(JsonNode json) {
        return switch (json.getNodeType()) {
            case NUMBER -> "the number " + json;
            case STRING -> "the text " + json;
            case BOOLEAN -> json.toString();
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> json.getNodeType().name().toLowerCase();
        };
    }
}
