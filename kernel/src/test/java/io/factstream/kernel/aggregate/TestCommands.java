package io.factstream.kernel.aggregate;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.Role;

/** Command envelopes for tests, consistent with the catalog and with deterministic ids. */
public final class TestCommands {

    /** The creation time of test commands: deciders must not depend on the clock. */
    public static final Instant CREATED = Instant.parse("2026-11-26T12:00:00Z");

    private TestCommands() {
    }

    /** A name-based UUID, the same for the same name. */
    public static String id(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(UTF_8)).toString();
    }

    /** A command from the sender to the aggregate, with the id made from {@code name} and no expected version. */
    public static CommandEnvelope command(String name, String subjectId, Sender sender, SpecificRecord data) {
        return CommandEnvelopes.builder(data)
                .setCommandId(id(name))
                .setSubjectId(subjectId)
                .setUserId(sender.userId())
                .setCreationTimestamp(CREATED)
                .setRoles(sender.roles().stream().map(Role::name).toList())
                .setCorrelationId(subjectId)
                .build();
    }
}
