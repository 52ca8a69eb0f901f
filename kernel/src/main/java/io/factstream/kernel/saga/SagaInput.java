package io.factstream.kernel.saga;

import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;

/**
 * One input of a saga: an event, the rejection of a command, or a timeout. Every input has a time, in business
 * time: the {@code creationTimestamp} of the event or rejection (which is that of its command), or the deadline of
 * the timeout. A saga handles its inputs in that order.
 */
public sealed interface SagaInput {

    /** When it happened, in epoch milliseconds. */
    long time();

    /** Its name in the saga's transition table: the event type, {@code <CommandType> rejected} or {@code <name> timeout}. */
    String trigger();

    /** The id that commands sent in reaction to it give as their causation id. */
    String causationId();

    /** An event of one of the contexts. */
    record Event(EventEnvelope envelope) implements SagaInput {
        @Override
        public long time() {
            return envelope.getCreationTimestamp().toEpochMilli();
        }

        @Override
        public String trigger() {
            return envelope.getEventType();
        }

        @Override
        public String causationId() {
            return envelope.getEventId();
        }
    }

    /** The rejection of a command, usually one the saga sent. */
    record Rejection(CommandRejected rejection) implements SagaInput {
        @Override
        public long time() {
            return rejection.getCreationTimestamp().toEpochMilli();
        }

        @Override
        public String trigger() {
            return rejected(rejection.getCommandType());
        }

        @Override
        public String causationId() {
            return rejection.getCommandId();
        }
    }

    /** A timeout the saga set, firing at its deadline. */
    record Timeout(String name, long time, String causationId) implements SagaInput {
        @Override
        public String trigger() {
            return timeout(name);
        }
    }

    /** The trigger name of a command type's rejection. */
    static String rejected(String commandType) {
        return commandType + " rejected";
    }

    /** The trigger name of a timeout. */
    static String timeout(String name) {
        return name + " timeout";
    }
}
