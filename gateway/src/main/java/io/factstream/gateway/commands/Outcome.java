package io.factstream.gateway.commands;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.gateway.api.Json;
import io.factstream.kafka.read.Position;

/** What became of a command: the events it produced, or its rejection, as an HTTP answer. */
public sealed interface Outcome {

    String commandId();

    /** Who sent the command. */
    String userId();

    /** The HTTP status that says it. */
    int status();

    /** The body that says it. */
    ObjectNode toJson();

    /**
     * The command was accepted.
     *
     * @param context  the context of the aggregate
     * @param events   the events it produced, in order (one transaction, one partition)
     * @param position the event-store position just after them: a query with {@code ?after=} this position reads
     *                 a view that has applied them
     */
    record Accepted(BoundedContext context, List<EventEnvelope> events, Position position) implements Outcome {

        public Accepted {
            events = List.copyOf(events);
        }

        @Override
        public String commandId() {
            return events.get(0).getCausationId();
        }

        @Override
        public String userId() {
            return events.get(0).getUserId();
        }

        public String aggregateId() {
            return events.get(0).getAggregateId();
        }

        /** The aggregate's version after the events. */
        public long version() {
            return events.get(events.size() - 1).getSequenceNumber();
        }

        @Override
        public int status() {
            return 201;
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode json = Json.object()
                    .put("status", "ACCEPTED")
                    .put("commandId", commandId())
                    .put("context", context.id())
                    .put("aggregateId", aggregateId())
                    .put("version", version())
                    .put("position", position.toString());
            events.forEach(event -> json.withArray("events").addRawValue(Json.avro(event)));
            return json;
        }
    }

    /**
     * The command was rejected: {@code INVALID_COMMAND} and {@code BUSINESS_RULE_VIOLATION} are 422,
     * {@code UNAUTHORIZED} 403, {@code CONCURRENCY_CONFLICT} 409, {@code UNKNOWN_AGGREGATE} 404, {@code QUARANTINED}
     * 503 (the aggregate is parked until a fixed version redrives its commands).
     */
    record Rejected(BoundedContext context, CommandRejected rejection) implements Outcome {

        @Override
        public String commandId() {
            return rejection.getCommandId();
        }

        @Override
        public String userId() {
            return rejection.getUserId();
        }

        @Override
        public int status() {
            return switch (rejection.getReason()) {
                case INVALID_COMMAND, BUSINESS_RULE_VIOLATION -> 422;
                case UNAUTHORIZED -> 403;
                case CONCURRENCY_CONFLICT -> 409;
                case UNKNOWN_AGGREGATE -> 404;
                case QUARANTINED -> 503;
            };
        }

        @Override
        public ObjectNode toJson() {
            return Json.object()
                    .put("status", "REJECTED")
                    .put("commandId", commandId())
                    .put("context", context.id())
                    .put("aggregateId", rejection.getSubjectId())
                    .put("reason", rejection.getReason().name())
                    .put("message", rejection.getMessage())
                    .put("version", rejection.getAggregateVersion());
        }
    }
}
