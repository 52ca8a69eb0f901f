package io.factstream.catalog;

import java.util.List;
import java.util.Set;

import org.apache.avro.Schema;

/**
 * A command type of the catalog: its Avro record and what the catalog says about it.
 *
 * @param schema       the command's Avro record; its doc says what the command asks for
 * @param context      the bounded context whose aggregate handles it
 * @param allowedRoles the roles allowed to send it; any other sender is rejected {@code UNAUTHORIZED}
 * @param sentBy       which component sends it, and when
 * @param rules        the validation and business rules the aggregate checks
 * @param produces     the event types it can produce when accepted
 */
public record CommandType(
        Schema schema,
        BoundedContext context,
        Set<Role> allowedRoles,
        String sentBy,
        List<String> rules,
        List<String> produces) {

    /** The unique name, e.g. {@code PlaceOrder}, as written in {@code CommandEnvelope.commandType}. */
    public String name() {
        return schema.getName();
    }

    /** What the command asks for. */
    public String doc() {
        return schema.getDoc();
    }
}
