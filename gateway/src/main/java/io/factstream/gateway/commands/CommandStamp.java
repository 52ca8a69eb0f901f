package io.factstream.gateway.commands;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.Role;
import io.factstream.gateway.api.Problem;
import io.factstream.gateway.auth.Caller;

/**
 * The envelope the gateway wraps around a client's command: what the client may say (the subject, an idempotency
 * key, the version it expects, a correlation id) and what only the gateway says (who sent it, with which roles,
 * and when).
 *
 * <ul>
 *   <li>{@code commandId}: from the {@code Idempotency-Key} header, a name-based UUID of the caller and the key
 *       (so the same key from the same caller is the same command, and one caller cannot collide with another's);
 *       without the header, a random UUID;</li>
 *   <li>{@code expectedVersion}: the {@code If-Match} header, a version number (quotes allowed, as for an ETag);</li>
 *   <li>{@code correlationId}: the {@code X-Correlation-Id} header, else the subject;</li>
 *   <li>{@code userId}, {@code roles}: the authenticated caller; {@code creationTimestamp}: the gateway's clock.</li>
 * </ul>
 */
public final class CommandStamp {

    /** The longest subject, idempotency key or correlation id accepted. */
    public static final int MAX_ID_LENGTH = 200;

    /** What a client may say about its command, from its request. */
    public record ClientHeaders(String idempotencyKey, String ifMatch, String correlationId) {
    }

    private CommandStamp() {
    }

    /** The envelope of a command; a {@link Problem} 400 names a malformed subject or header. */
    public static CommandEnvelope stamp(Caller caller, String subjectId, SpecificRecord command,
                                        ClientHeaders headers, Instant now) {
        checkId("the aggregate id", subjectId, null);
        checkId("Idempotency-Key", headers.idempotencyKey(), "Idempotency-Key");
        checkId("X-Correlation-Id", headers.correlationId(), "X-Correlation-Id");
        return CommandEnvelopes.builder(command)
                .setCommandId(commandId(caller, headers.idempotencyKey()))
                .setSubjectId(subjectId)
                .setUserId(caller.userId())
                .setRoles(caller.roles().stream().map(Role::name).toList())
                .setCreationTimestamp(now)
                .setCorrelationId(headers.correlationId() != null ? headers.correlationId() : subjectId)
                .setExpectedVersion(expectedVersion(headers.ifMatch()))
                .build();
    }

    /** The command id of a caller's idempotency key; a random one without a key. */
    public static String commandId(Caller caller, String idempotencyKey) {
        if (idempotencyKey == null) {
            return UUID.randomUUID().toString();
        }
        return UUID.nameUUIDFromBytes(("gateway/" + caller.userId() + "/" + idempotencyKey).getBytes(UTF_8))
                .toString();
    }

    private static Long expectedVersion(String ifMatch) {
        if (ifMatch == null) {
            return null;
        }
        String version = ifMatch.trim();
        if (version.startsWith("W/")) {
            version = version.substring(2);
        }
        if (version.length() >= 2 && version.startsWith("\"") && version.endsWith("\"")) {
            version = version.substring(1, version.length() - 1);
        }
        if (!version.matches("[0-9]{1,18}")) {
            throw new Problem(400, "BAD_HEADER", "If-Match must be the aggregate version you expect, a whole number "
                    + "such as 3, not '" + ifMatch + "'", "If-Match");
        }
        return Long.parseLong(version);
    }

    private static void checkId(String what, String value, String header) {
        if (value == null && header != null) {
            return;
        }
        if (value == null || value.isBlank() || value.length() > MAX_ID_LENGTH
                || value.chars().anyMatch(Character::isISOControl)) {
            throw new Problem(400, header != null ? "BAD_HEADER" : "BAD_ID", what + " must be 1 to " + MAX_ID_LENGTH
                    + " characters without control characters", header);
        }
    }
}
