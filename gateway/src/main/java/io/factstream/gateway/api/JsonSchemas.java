package io.factstream.gateway.api;

import java.util.List;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON Schema of the JSON that {@link io.factstream.gateway.json.JsonAvro} reads for an Avro schema, for the
 * OpenAPI document and the catalog: records are closed objects whose fields without a default are required,
 * optional fields may be null, times are ISO-8601 date-times, enums list their symbols.
 */
public final class JsonSchemas {

    private JsonSchemas() {
    }

    public static ObjectNode of(Schema schema) {
        ObjectNode json = Json.object();
        switch (schema.getType()) {
            case RECORD -> {
                json.put("type", "object").put("title", schema.getName());
                if (schema.getDoc() != null) {
                    json.put("description", schema.getDoc());
                }
                ObjectNode properties = json.putObject("properties");
                ArrayNode required = Json.MAPPER.createArrayNode();
                for (Schema.Field field : schema.getFields()) {
                    ObjectNode property = of(field.schema());
                    if (field.doc() != null) {
                        property.put("description", field.doc());
                    }
                    properties.set(field.name(), property);
                    if (!field.hasDefaultValue()) {
                        required.add(field.name());
                    }
                }
                if (!required.isEmpty()) {
                    json.set("required", required);
                }
                json.put("additionalProperties", false);
            }
            case ENUM -> {
                json.put("type", "string");
                schema.getEnumSymbols().forEach(symbol -> json.withArray("enum").add(symbol));
            }
            case ARRAY -> json.put("type", "array").set("items", of(schema.getElementType()));
            case MAP -> json.put("type", "object").set("additionalProperties", of(schema.getValueType()));
            case UNION -> {
                List<Schema> branches = schema.getTypes();
                ArrayNode anyOf = json.putArray("anyOf");
                branches.forEach(branch -> anyOf.add(of(branch)));
            }
            case STRING -> json.put("type", "string");
            case INT -> json.put("type", "integer").put("format", "int32");
            case LONG -> {
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    json.put("type", "string").put("format", "date-time");
                } else {
                    json.put("type", "integer").put("format", "int64");
                }
            }
            case FLOAT, DOUBLE -> json.put("type", "number");
            case BOOLEAN -> json.put("type", "boolean");
            case BYTES -> json.put("type", "string").put("contentEncoding", "base64");
            case NULL -> json.put("type", "null");
            default -> throw new IllegalArgumentException("no JSON schema for Avro type " + schema.getType());
        }
        return json;
    }
}
