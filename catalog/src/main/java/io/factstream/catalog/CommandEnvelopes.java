package io.factstream.catalog;

import org.apache.avro.specific.SpecificRecord;

/** Command envelopes whose catalog-derived fields are filled in from the command record itself. */
public final class CommandEnvelopes {

    private CommandEnvelopes() {
    }

    /**
     * A builder for an envelope around the command: {@code commandType}, {@code aggregateType} and
     * {@code commandData} are set from the catalog, {@code causationId} and {@code expectedVersion} are null. The
     * caller sets the command id, subject, user, roles, creation time and correlation id.
     */
    public static CommandEnvelope.Builder builder(SpecificRecord commandData) {
        CommandType type = EventCatalog.get().commandTypeOf(commandData);
        return CommandEnvelope.newBuilder()
                .setCommandType(type.name())
                .setAggregateType(type.context().aggregateType())
                .setCausationId(null)
                .setExpectedVersion(null)
                .setCommandData(commandData);
    }
}
