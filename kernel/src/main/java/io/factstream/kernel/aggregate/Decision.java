package io.factstream.kernel.aggregate;

import java.util.List;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.RejectionReason;

/** What a {@link Decider} decided about a command: the events it causes, or why it is rejected. */
public sealed interface Decision permits Decision.Accepted, Decision.Rejected {

    /** The command is accepted and causes these events, in order. */
    record Accepted(List<SpecificRecord> events) implements Decision {
        public Accepted {
            if (events.isEmpty()) {
                throw new IllegalArgumentException("an accepted command causes at least one event");
            }
            events = List.copyOf(events);
        }
    }

    /** The command changes nothing, for this reason. */
    record Rejected(RejectionReason reason, String message) implements Decision {
    }

    static Decision accept(SpecificRecord... events) {
        return new Accepted(List.of(events));
    }

    static Decision reject(RejectionReason reason, String format, Object... args) {
        return new Rejected(reason, String.format(format, args));
    }

    /** The command's values are not acceptable (blank, out of range, not on the menu, ...). */
    static Decision invalid(String format, Object... args) {
        return reject(RejectionReason.INVALID_COMMAND, format, args);
    }

    /** The sender may not do this to this aggregate (e.g. a customer acting on another customer's order). */
    static Decision unauthorized(String format, Object... args) {
        return reject(RejectionReason.UNAUTHORIZED, format, args);
    }

    /** The aggregate's state does not allow it (lifecycle, limits, no change). */
    static Decision refused(String format, Object... args) {
        return reject(RejectionReason.BUSINESS_RULE_VIOLATION, format, args);
    }

    /** The command addresses an aggregate that does not exist. */
    static Decision unknown(String format, Object... args) {
        return reject(RejectionReason.UNKNOWN_AGGREGATE, format, args);
    }
}
