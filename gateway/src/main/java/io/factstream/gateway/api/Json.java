package io.factstream.gateway.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;

import io.factstream.catalog.wire.AvroJson;

/** The gateway's one JSON mapper: strict when it reads (no duplicate keys, nothing after the value). */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    /** A new JSON object. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** An Avro value as it is printed everywhere on the platform ({@link AvroJson}), to embed in a JSON tree. */
    public static RawValue avro(Object value) {
        return new RawValue(AvroJson.of(value));
    }

    /** The JSON text of a tree. */
    public static String text(JsonNode json) {
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that does not print: " + e.getMessage(), e);
        }
    }
}
