package io.factstream.kernel.saga;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventUpcasters;
import io.factstream.catalog.Role;
import io.factstream.state.AwaitedCommand;
import io.factstream.state.SagaDeadline;
import io.factstream.state.SagaSnapshot;

/**
 * Runs one saga, without Flink: decides in which order its inputs reach the {@link SagaDefinition}, stamps the
 * commands it sends, and keeps its timeouts. Given the same inputs it sends the same commands, whatever order or
 * speed they arrive in, live, replayed or backfilled. Three rules make it so:
 *
 * <ol>
 *   <li><b>Business-time order.</b> Inputs are handled in the order of their time (an event's or rejection's
 *       {@code creationTimestamp}, a timeout's deadline; ties: inputs before timeouts, then by id), and only once
 *       the watermark has passed them, so that nothing earlier can still arrive. The watermark comes from the
 *       inputs themselves and from a clock, so time passes even when no event arrives.</li>
 *   <li><b>Answers first.</b> After a step sends commands, the saga waits for each command's answer, its event or
 *       its rejection (every command gets exactly one: invariant 1 of {@code docs/architecture.md}), and handles
 *       the answers in the order the commands were sent before anything else. Answers carry their command's time, which is the time of the
 *       input that caused it, so they belong exactly here in business-time order, however late they arrive.</li>
 *   <li><b>Timeouts are inputs.</b> A timeout fires at its deadline under the same two rules: after every input of
 *       an earlier time and after the answers the saga awaits.</li>
 * </ol>
 *
 * <p>An input that arrives after the watermark has passed its time, and is no awaited answer, is late: it is
 * handled at once and counted, because its place in the order may differ between runs. With the watermark's
 * out-of-orderness bound above the aggregate jobs' end-to-end latency, nothing is late.
 *
 * <p>Each instance runs under the version of the definition it started under, recorded in its snapshot, until it
 * ends or the definition {@linkplain SagaDefinition#moveToCurrent moves} it to the current version; new instances
 * start under the current version.
 *
 * <p>Commands carry the system role, the saga's name as user, the saga id as correlation id, the causing input's
 * id as causation id, the causing input's time as creation time, and a name-based id from saga name, saga id and
 * step.
 *
 * @param <S> the saga's Avro state record
 */
public final class SagaEngine<S extends SpecificRecord> {

    /** What handling an input or the passing of time produced. */
    public record Result(SagaSnapshot snapshot, List<CommandEnvelope> commands, boolean started, String outcome,
                         boolean late) {

        /** Whether the saga ended in this step (its outcome is set). */
        public boolean finished() {
            return outcome != null;
        }
    }

    private static final Comparator<Object> INPUT_ORDER = Comparator
            .comparingLong(SagaEngine::timeOf)
            .thenComparing(SagaEngine::idOf);

    private final SagaDefinition<S> definition;

    public SagaEngine(SagaDefinition<S> definition) {
        this.definition = definition;
    }

    /**
     * Takes one input of the saga with this id: an {@link EventEnvelope} or a {@link CommandRejected}.
     *
     * @param snapshot  the saga's snapshot, or null when there is none
     * @param watermark the current watermark (epoch milliseconds)
     */
    public Result onInput(String sagaId, SagaSnapshot snapshot, SpecificRecord input, long watermark) {
        return onInputs(sagaId, snapshot, List.of(input), watermark);
    }

    /**
     * Takes several inputs of the saga at once, in this order, then handles what is due, as if they had all arrived
     * before the watermark moved: a saga that was held back (in quarantine) gets its held inputs again this way, so
     * that its deadlines fall between them in business time, not after the first of them.
     *
     * @param snapshot  the saga's snapshot, or null when there is none
     * @param watermark the current watermark (epoch milliseconds)
     */
    public Result onInputs(String sagaId, SagaSnapshot snapshot, List<? extends SpecificRecord> inputs,
                           long watermark) {
        SagaSnapshot taken = snapshot == null ? null : copy(snapshot);
        boolean late = false;
        for (SpecificRecord input : inputs) {
            if (taken == null) {
                boolean starts = input instanceof EventEnvelope event && definition.starts(event);
                // An answer may come before the saga's start in a replay; it waits for the command it answers.
                if (!starts && !isAnswer(input)) {
                    continue; // no saga to concern
                }
                taken = new SagaSnapshot(null, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), null,
                        definition.version());
            }
            AwaitedCommand awaited = taken.getAwaiting().stream()
                    .filter(a -> a.getAnswer() == null && a.getCommandId().equals(answeredCommandId(input)))
                    .findFirst().orElse(null);
            if (awaited != null) {
                awaited.setAnswer(input);
            } else {
                late |= !isAnswer(input) && timeOf(input) < watermark;
                taken.getPending().add(input);
            }
        }
        return taken == null ? new Result(null, List.of(), false, null, false)
                : new Run(sagaId, taken).drain(watermark, late);
    }

    /** Lets time pass up to the watermark: handles what became due. */
    public Result onTime(String sagaId, SagaSnapshot snapshot, long watermark) {
        return new Run(sagaId, copy(snapshot)).drain(watermark, false);
    }

    /**
     * The earliest time at which the saga may have something to do without a new input: its earliest pending input
     * or deadline; null when it waits only for answers or has nothing pending. Once the saga has started, a pending
     * answer wakes nothing: it waits for its command (or, read twice, for nothing) and is never handled on its own,
     * so a wake-up for it would be due at once, find nothing to do and be due again, for ever, holding up the
     * watermark and every checkpoint barrier behind it. Before the saga starts, the watermark passing an answer
     * drops it, so it wakes the saga once.
     */
    public Long nextWakeUp(SagaSnapshot snapshot) {
        if (snapshot.getAwaiting().stream().anyMatch(a -> a.getAnswer() == null)) {
            return null; // answers come as inputs
        }
        Long next = null;
        for (Object input : snapshot.getPending()) {
            if (snapshot.getState() == null || !isAnswer((SpecificRecord) input)) {
                next = next == null ? timeOf(input) : Math.min(next, timeOf(input));
            }
        }
        for (SagaDeadline deadline : snapshot.getDeadlines()) {
            long at = deadline.getAt().toEpochMilli();
            next = next == null ? at : Math.min(next, at);
        }
        return next;
    }

    /** One drain of the saga: mutates its own copy of the snapshot. */
    private final class Run {
        private final String sagaId;
        private final SagaSnapshot snapshot;
        private final List<CommandEnvelope> sent = new ArrayList<>();
        private boolean started;

        Run(String sagaId, SagaSnapshot snapshot) {
            this.sagaId = sagaId;
            this.snapshot = snapshot;
        }

        Result drain(long watermark, boolean late) {
            while (true) {
                List<AwaitedCommand> awaiting = snapshot.getAwaiting();
                if (!awaiting.isEmpty()) {
                    if (awaiting.stream().anyMatch(a -> a.getAnswer() == null)) {
                        break;
                    }
                    List<AwaitedCommand> answered = new ArrayList<>(awaiting);
                    awaiting.clear();
                    for (AwaitedCommand answer : answered) {
                        handle(asInput(answer.getAnswer()));
                    }
                } else {
                    SagaInput next = nextDue(watermark);
                    if (next == null) {
                        break;
                    }
                    handle(next);
                }
                if (isOver()) {
                    return new Result(null, sent, started, running().outcome(state()), late);
                }
            }
            if (snapshot.getState() == null) {
                // Before a saga starts, only answers wait for it. A saga starts no later than the commands it
                // sends, so answers the watermark has passed belong to no saga that is still to start.
                snapshot.getPending().removeIf(input -> isAnswer((SpecificRecord) input) && timeOf(input) <= watermark);
            }
            return new Result(snapshot.getState() == null && snapshot.getPending().isEmpty() ? null : snapshot,
                    sent, started, null, late);
        }

        private boolean isOver() {
            return state() != null && snapshot.getAwaiting().isEmpty() && running().isClosing(state());
        }

        /** The definition this instance runs under: that of the version it started under or was moved to. */
        private SagaDefinition<S> running() {
            int version = snapshot.getDefinitionVersion();
            return version == definition.version() ? definition : definition.earlierVersion(version);
        }

        /** The saga's state, read through the record interface: the snapshot's field is typed by its union. */
        @SuppressWarnings("unchecked")
        private S state() {
            return (S) snapshot.get("state");
        }

        /** The earliest pending input or deadline the watermark has passed, removed from the snapshot. */
        private SagaInput nextDue(long watermark) {
            // An answer whose command is not sent yet (a replay reads answers alongside everything else) waits for
            // its command; it is never handled as an input of its own.
            Object input = snapshot.getPending().stream().filter(i -> !isAnswer((SpecificRecord) i))
                    .min(INPUT_ORDER).orElse(null);
            SagaDeadline deadline = snapshot.getDeadlines().stream()
                    .min(Comparator.comparing(SagaDeadline::getAt).thenComparing(SagaDeadline::getName))
                    .orElse(null);
            boolean inputFirst = input != null
                    && (deadline == null || timeOf(input) <= deadline.getAt().toEpochMilli());
            if (inputFirst && timeOf(input) <= watermark) {
                snapshot.getPending().remove(input);
                return asInput(input);
            }
            if (!inputFirst && deadline != null && deadline.getAt().toEpochMilli() <= watermark) {
                snapshot.getDeadlines().remove(deadline);
                return new SagaInput.Timeout(deadline.getName(), deadline.getAt().toEpochMilli(),
                        deadline.getCausationId());
            }
            return null;
        }

        private void handle(SagaInput input) {
            S state = state();
            if (state == null) {
                if (!(input instanceof SagaInput.Event event && definition.starts(event.envelope()))) {
                    return; // inputs that came before the starting event concern no saga yet
                }
                snapshot.setDefinitionVersion(definition.version());
            } else if (snapshot.getDefinitionVersion() != definition.version()) {
                Optional<S> moved = definition.moveToCurrent(snapshot.getDefinitionVersion(), state);
                if (moved.isPresent()) {
                    state = moved.get();
                    snapshot.setDefinitionVersion(definition.version());
                }
            }
            Reaction<S> reaction = running().react(state, input);
            started |= state == null;
            snapshot.put("state", reaction.state());
            snapshot.getDeadlines().removeIf(d -> reaction.timeoutsToClear().contains(d.getName()));
            for (Map.Entry<String, Duration> timeout : reaction.timeoutsToSet().entrySet()) {
                snapshot.getDeadlines().removeIf(d -> d.getName().equals(timeout.getKey()));
                snapshot.getDeadlines().add(new SagaDeadline(timeout.getKey(),
                        Instant.ofEpochMilli(input.time()).plus(timeout.getValue()), input.causationId()));
            }
            for (SagaCommand command : reaction.commands()) {
                CommandEnvelope envelope = envelope(command, input);
                sent.add(envelope);
                snapshot.getAwaiting().add(new AwaitedCommand(envelope.getCommandId(), takeAnswer(envelope)));
            }
        }

        /**
         * The answer to a command that is already pending, or null. Live, answers come after their commands; in a
         * replay, where the recorded answers are read alongside everything else, one may come first.
         */
        private Object takeAnswer(CommandEnvelope command) {
            for (Object input : snapshot.getPending()) {
                if (answeredCommandId((SpecificRecord) input).equals(command.getCommandId())) {
                    snapshot.getPending().remove(input);
                    return input;
                }
            }
            return null;
        }

        private CommandEnvelope envelope(SagaCommand command, SagaInput cause) {
            String id = definition.name() + "/" + sagaId + "/" + command.step();
            return CommandEnvelopes.builder(command.data())
                    .setCommandId(UUID.nameUUIDFromBytes(id.getBytes(UTF_8)).toString())
                    .setSubjectId(command.subjectId())
                    .setUserId(definition.name())
                    .setCreationTimestamp(Instant.ofEpochMilli(cause.time()))
                    .setRoles(List.of(Role.SYSTEM.name()))
                    .setCorrelationId(sagaId)
                    .setCausationId(cause.causationId())
                    .build();
        }
    }

    /** Whether the input answers one of this saga's commands: its command's user is the saga. */
    private boolean isAnswer(SpecificRecord input) {
        String user = input instanceof EventEnvelope event ? event.getUserId() : ((CommandRejected) input).getUserId();
        return definition.name().equals(user);
    }

    /** The input as the definition takes it; an event that state kept from before an upgrade lifted to current. */
    private static SagaInput asInput(Object record) {
        return record instanceof EventEnvelope event ? new SagaInput.Event(EventUpcasters.discovered().upcast(event))
                : new SagaInput.Rejection((CommandRejected) record);
    }

    private static String answeredCommandId(SpecificRecord input) {
        return input instanceof EventEnvelope event ? event.getCausationId()
                : ((CommandRejected) input).getCommandId();
    }

    private static long timeOf(Object input) {
        return input instanceof EventEnvelope event ? event.getCreationTimestamp().toEpochMilli()
                : ((CommandRejected) input).getCreationTimestamp().toEpochMilli();
    }

    private static String idOf(Object input) {
        return input instanceof EventEnvelope event ? event.getEventId() : ((CommandRejected) input).getCommandId();
    }

    /** The engine changes its own copy; the caller's snapshot (e.g. a heap state value) stays as it was. */
    private static SagaSnapshot copy(SagaSnapshot snapshot) {
        return new SagaSnapshot(snapshot.getState(), new ArrayList<>(snapshot.getDeadlines()),
                copyAwaiting(snapshot.getAwaiting()), new ArrayList<>(snapshot.getPending()), snapshot.getWakeUpAt(),
                snapshot.getDefinitionVersion());
    }

    private static List<AwaitedCommand> copyAwaiting(List<AwaitedCommand> awaiting) {
        List<AwaitedCommand> copies = new ArrayList<>(awaiting.size());
        awaiting.forEach(a -> copies.add(new AwaitedCommand(a.getCommandId(), a.getAnswer())));
        return copies;
    }
}
