package io.factstream.catalog.wire;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro data as plain JSON for people and scripts: records as objects in field order, unions as their value, maps
 * with sorted keys (so that equal data prints equal), times as ISO-8601 strings, bytes as base64.
 */
public final class AvroJson {

    private AvroJson() {
    }

    /** The JSON text of an Avro value: a record, a collection, a map or a plain value. */
    public static String of(Object value) {
        StringBuilder json = new StringBuilder();
        write(value, json);
        return json.toString();
    }

    private static void write(Object value, StringBuilder json) {
        if (value == null) {
            json.append("null");
        } else if (value instanceof IndexedRecord record) {
            json.append('{');
            String separator = "";
            for (Schema.Field field : record.getSchema().getFields()) {
                json.append(separator);
                string(field.name(), json);
                json.append(": ");
                write(record.get(field.pos()), json);
                separator = ", ";
            }
            json.append('}');
        } else if (value instanceof Map<?, ?> map) {
            json.append('{');
            String separator = "";
            for (Map.Entry<String, Object> entry : stringKeys(map).entrySet()) {
                json.append(separator);
                string(entry.getKey(), json);
                json.append(": ");
                write(entry.getValue(), json);
                separator = ", ";
            }
            json.append('}');
        } else if (value instanceof Collection<?> items) {
            json.append('[');
            String separator = "";
            for (Object item : items) {
                json.append(separator);
                write(item, json);
                separator = ", ";
            }
            json.append(']');
        } else if (value instanceof Number || value instanceof Boolean) {
            json.append(value);
        } else if (value instanceof ByteBuffer bytes) {
            byte[] copy = new byte[bytes.remaining()];
            bytes.duplicate().get(copy);
            string(Base64.getEncoder().encodeToString(copy), json);
        } else {
            // strings, enum symbols, times (Instant), and anything else by its text
            string(value.toString(), json);
        }
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> keys = new TreeMap<>();
        map.forEach((key, value) -> keys.put(key.toString(), value));
        return keys;
    }

    private static void string(String text, StringBuilder json) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
