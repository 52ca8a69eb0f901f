package io.factstream.kernel.aggregate;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.CommandType;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventType;
import io.factstream.catalog.RejectionReason;
import io.factstream.catalog.Role;
import io.factstream.state.AggregateSnapshot;

/**
 * Handles one command for one aggregate, without Flink: everything the aggregate operator does between loading and
 * storing the aggregate's {@link AggregateSnapshot}. In order:
 *
 * <ol>
 *   <li>a command id among the snapshot's recent ones is a duplicate: nothing happens;</li>
 *   <li>a command whose record is keyed other than by its {@code subjectId} is rejected {@code INVALID_COMMAND}:
 *       an aggregate's commands must share its key, and so its partition and its order;</li>
 *   <li>an envelope that contradicts itself or the catalog, or whose {@code creationTimestamp} is further than the
 *       allowed clock skew from the time the command was written to Kafka, is rejected {@code INVALID_COMMAND} (the
 *       sender's clock becomes the business time of everything that follows, timeouts included; the rejection of a
 *       command whose timestamp is not believed is dated when the command was written);</li>
 *   <li>a sender without one of the command type's allowed roles is rejected {@code UNAUTHORIZED};</li>
 *   <li>an {@code expectedVersion} other than the aggregate's version is rejected {@code CONCURRENCY_CONFLICT};</li>
 *   <li>otherwise the {@link Decider} decides, and accepted events are stamped: {@code sequenceNumber} version + 1,
 *       + 2, ...; a name-based {@code eventId} from aggregate, command id and index; the command's timestamp,
 *       correlation id and user; the command id as causation id; the catalog's schema version.</li>
 * </ol>
 *
 * <p>The command id is remembered whether the command is accepted or rejected, so a resent command never gets a
 * second answer. The memory is the last {@link AggregateSettings#dedupWindow} command ids of the aggregate: bounded
 * per aggregate, and counted in commands rather than time so that replays and backfills, which run at any speed,
 * remember exactly what the live run remembered. It covers client retries, which come within a few commands of
 * the original (a saga's exactly-once output never repeats a command).
 *
 * @param <S> the aggregate's Avro state record
 */
public final class CommandHandler<S extends SpecificRecord> {

    private final Decider<S> decider;
    private final int dedupWindow;
    private final Duration maxClockSkew;
    private final EventCatalog catalog = EventCatalog.get();

    public CommandHandler(Decider<S> decider, AggregateSettings settings) {
        this.decider = decider;
        this.dedupWindow = settings.dedupWindow();
        this.maxClockSkew = settings.maxClockSkew();
    }

    public BoundedContext context() {
        return decider.context();
    }

    /**
     * Handles a command whose record is keyed by its {@code subjectId}, as when a log is folded.
     *
     * @param snapshot  the aggregate's snapshot, or {@code null} when nothing is known about the aggregate
     * @param writtenAt when the command was written to Kafka: its record's timestamp, which is in the log, so that
     *                  replays decide alike
     */
    public CommandOutcome handle(AggregateSnapshot snapshot, CommandEnvelope command, Instant writtenAt) {
        return handle(snapshot, command, writtenAt, command.getSubjectId());
    }

    /**
     * Handles a command read from a record with this key.
     *
     * @param snapshot  the aggregate's snapshot, or {@code null} when nothing is known about the aggregate
     * @param writtenAt when the command was written to Kafka: its record's timestamp
     * @param recordKey its record's key, null when it had none
     */
    public CommandOutcome handle(AggregateSnapshot snapshot, CommandEnvelope command, Instant writtenAt,
                                 String recordKey) {
        AggregateSnapshot current = snapshot == null ? emptySnapshot() : snapshot;
        if (current.getRecentCommandIds().contains(command.getCommandId())) {
            return new CommandOutcome.Duplicate();
        }
        Decision decision = Objects.equals(recordKey, command.getSubjectId()) ? check(command, current, writtenAt)
                : Decision.invalid("%s: an aggregate's commands are keyed by their subjectId '%s', so that they share "
                + "its partition and its order", recordKey == null ? "the record has no key"
                : "the record is keyed '" + recordKey + "'", command.getSubjectId());
        if (decision == null) {
            decision = decider.decide(command, state(current));
        }
        if (decision instanceof Decision.Rejected rejected) {
            return new CommandOutcome.Rejected(rejection(command, writtenAt, current, rejected),
                    remember(current, current.getVersion(), current.getState(), command.getCommandId()));
        }
        return accept(command, current, ((Decision.Accepted) decision).events());
    }

    /**
     * A rejection decided before the decider could be asked, e.g. for a command that waits in quarantine because the
     * aggregate's code failed: rejected with this reason, its id remembered like any rejected command's, so that a
     * resend gets nothing; a duplicate when its id was handled already.
     *
     * @param writtenAt when the command was written to Kafka: its record's timestamp
     */
    public CommandOutcome reject(AggregateSnapshot snapshot, CommandEnvelope command, Instant writtenAt,
                                 RejectionReason reason, String why) {
        AggregateSnapshot current = snapshot == null ? emptySnapshot() : snapshot;
        if (current.getRecentCommandIds().contains(command.getCommandId())) {
            return new CommandOutcome.Duplicate();
        }
        Decision.Rejected rejected = new Decision.Rejected(reason, why);
        return new CommandOutcome.Rejected(rejection(command, writtenAt, current, rejected),
                remember(current, current.getVersion(), current.getState(), command.getCommandId()));
    }

    /**
     * Applies one stored event to a snapshot, as when folding an event log: the version becomes the event's
     * sequence number, which must be the next one, and the causing command id is remembered.
     */
    public AggregateSnapshot apply(AggregateSnapshot snapshot, EventEnvelope event) {
        AggregateSnapshot current = snapshot == null ? emptySnapshot() : snapshot;
        if (event.getSequenceNumber() != current.getVersion() + 1) {
            throw new IllegalStateException("event " + event.getEventId() + " of " + event.getAggregateId()
                    + " has sequence number " + event.getSequenceNumber() + " after version " + current.getVersion());
        }
        S next = decider.evolve(state(current), (SpecificRecord) event.getEventData());
        List<String> recent = current.getRecentCommandIds();
        boolean known = !recent.isEmpty() && recent.get(recent.size() - 1).equals(event.getCausationId());
        return known
                ? new AggregateSnapshot(event.getSequenceNumber(), current.getRecentCommandIds(), next)
                : remember(current, event.getSequenceNumber(), next, event.getCausationId());
    }

    /**
     * Applies one stored rejection to a snapshot, as when folding an aggregate's log: the rejected command id is
     * remembered, as the live operator remembered it; the rejection must have been made at the snapshot's version.
     */
    public AggregateSnapshot apply(AggregateSnapshot snapshot, CommandRejected rejection) {
        AggregateSnapshot current = snapshot == null ? emptySnapshot() : snapshot;
        if (rejection.getAggregateVersion() != current.getVersion()) {
            throw new IllegalStateException("rejection of command " + rejection.getCommandId() + " for "
                    + rejection.getSubjectId() + " was made at version " + rejection.getAggregateVersion()
                    + ", not at version " + current.getVersion());
        }
        return remember(current, current.getVersion(), current.getState(), rejection.getCommandId());
    }

    /** The aggregate state held by a snapshot; null when the aggregate does not exist. */
    @SuppressWarnings("unchecked")
    public S state(AggregateSnapshot snapshot) {
        return snapshot == null ? null : (S) snapshot.getState();
    }

    /** The generic checks; null when the command may go to the decider. */
    private Decision check(CommandEnvelope command, AggregateSnapshot snapshot, Instant writtenAt) {
        SpecificRecord data = (SpecificRecord) command.getCommandData();
        CommandType type = catalog.commandTypeOf(data);
        if (type.context() != context()) {
            return Decision.invalid("%s is a command of the %s context, not of %s", type.name(), type.context().id(),
                    context().id());
        }
        if (!type.name().equals(command.getCommandType())) {
            return Decision.invalid("commandType says %s but the command data is a %s", command.getCommandType(),
                    type.name());
        }
        if (!context().aggregateType().equals(command.getAggregateType())) {
            return Decision.invalid("aggregateType says %s but %s commands address %s aggregates",
                    command.getAggregateType(), context().id(), context().aggregateType());
        }
        if (!isUuid(command.getCommandId())) {
            return Decision.invalid("commandId '%s' is not a UUID", command.getCommandId());
        }
        for (String required : List.of("subjectId", "userId", "correlationId")) {
            Object value = command.get(required);
            if (value == null || value.toString().isBlank()) {
                return Decision.invalid("%s is blank", required);
            }
        }
        if (!believable(command, writtenAt)) {
            return Decision.invalid("creationTimestamp %s is %d s from %s, when the command was written; at most %d s "
                    + "are allowed", command.getCreationTimestamp(),
                    Duration.between(writtenAt, command.getCreationTimestamp()).abs().toSeconds(), writtenAt,
                    maxClockSkew.toSeconds());
        }
        if (type.allowedRoles().stream().noneMatch(role -> command.getRoles().contains(role.name()))) {
            return Decision.unauthorized("%s needs one of the roles %s; user %s has %s", type.name(),
                    type.allowedRoles().stream().map(Role::name).sorted().toList(), command.getUserId(),
                    command.getRoles());
        }
        Long expected = command.getExpectedVersion();
        if (expected != null && expected != snapshot.getVersion()) {
            return Decision.reject(RejectionReason.CONCURRENCY_CONFLICT,
                    "expected version %d but %s %s is at version %d", expected, context().aggregateType(),
                    command.getSubjectId(), snapshot.getVersion());
        }
        return null;
    }

    private CommandOutcome accept(CommandEnvelope command, AggregateSnapshot snapshot, List<SpecificRecord> events) {
        CommandType commandType = catalog.commandTypeOf((SpecificRecord) command.getCommandData());
        List<EventEnvelope> stamped = new ArrayList<>(events.size());
        S state = state(snapshot);
        long version = snapshot.getVersion();
        for (int index = 0; index < events.size(); index++) {
            SpecificRecord data = events.get(index);
            EventType eventType = catalog.eventTypeOf(data);
            if (!commandType.produces().contains(eventType.name())) {
                throw new IllegalStateException(decider.getClass().getSimpleName() + " answered "
                        + commandType.name() + " with " + eventType.name() + ", which the catalog does not allow");
            }
            version++;
            stamped.add(new EventEnvelope(eventId(command, index), command.getSubjectId(), version,
                    command.getCreationTimestamp(), command.getCorrelationId(), eventType.name(),
                    eventType.aggregateType(), command.getCommandId(), command.getUserId(), eventType.version(), data));
            state = decider.evolve(state, data);
        }
        return new CommandOutcome.Accepted(stamped, remember(snapshot, version, state, command.getCommandId()));
    }

    /** Whether a command's {@code creationTimestamp} is within the allowed clock skew of its write to Kafka. */
    private boolean believable(CommandEnvelope command, Instant writtenAt) {
        return Duration.between(writtenAt, command.getCreationTimestamp()).abs().compareTo(maxClockSkew) <= 0;
    }

    /**
     * A command's rejection, at the command's business time when that is believable, else at the time the command
     * was written: what the rejection's record is stamped with, so a rejection is never dated further than the
     * allowed skew ahead of its command's record, and a replay stamps it alike.
     */
    private CommandRejected rejection(CommandEnvelope command, Instant writtenAt, AggregateSnapshot snapshot,
                                      Decision.Rejected why) {
        return CommandRejected.newBuilder()
                .setCommandId(command.getCommandId())
                .setSubjectId(command.getSubjectId())
                .setCommandType(command.getCommandType())
                .setAggregateType(context().aggregateType())
                .setReason(why.reason())
                .setMessage(why.message())
                .setUserId(command.getUserId())
                .setCorrelationId(command.getCorrelationId())
                .setCreationTimestamp(believable(command, writtenAt) ? command.getCreationTimestamp() : writtenAt)
                .setAggregateVersion(snapshot.getVersion())
                .build();
    }

    /** A new snapshot: the given version and state, the command id appended, the oldest ids beyond the window dropped. */
    private AggregateSnapshot remember(AggregateSnapshot snapshot, long version, Object state, String commandId) {
        List<String> recent = new ArrayList<>(snapshot.getRecentCommandIds());
        recent.add(commandId);
        if (recent.size() > dedupWindow) {
            recent = new ArrayList<>(recent.subList(recent.size() - dedupWindow, recent.size()));
        }
        return new AggregateSnapshot(version, recent, state);
    }

    /** A name-based UUID, so that handling the same command again (a replay) yields the same event ids. */
    private String eventId(CommandEnvelope command, int index) {
        String name = context().aggregateType() + "/" + command.getSubjectId() + "/" + command.getCommandId() + "/"
                + index;
        return UUID.nameUUIDFromBytes(name.getBytes(UTF_8)).toString();
    }

    private static boolean isUuid(String text) {
        try {
            return UUID.fromString(text).toString().equalsIgnoreCase(text);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static AggregateSnapshot emptySnapshot() {
        return new AggregateSnapshot(0L, List.of(), null);
    }
}
