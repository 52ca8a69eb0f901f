package io.factstream.testdata;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.domain.Views;
import io.factstream.domain.views.OrderStatusProjection;
import io.factstream.kafka.read.MemoryImage;

/**
 * Plays a world against a running platform, wherever it runs (in this JVM or on a cluster): feeds its commands in
 * real time, waits until every saga has finished, and prints the summary and the views.
 */
public final class WorldPlay {

    private static final SingleObjectCodec<CommandEnvelope> COMMANDS = SingleObjectCodec.forType(CommandEnvelope.class);

    private WorldPlay() {
    }

    /**
     * Plays the world and prints what happened.
     *
     * @param patience how long the feeder waits for the event a scripted command follows
     * @param timeout  how long to wait for every saga to finish once everything was fed
     * @return whether every command was sent and the books balance
     */
    public static boolean play(World world, String bootstrapServers, Duration patience, Duration timeout,
                               PrintWriter out) throws Exception {
        int placed = plannedOutcomes(world).size();
        out.printf("world %s: %d commands, %d orders%n", world.parameters(), world.script().size(), placed);
        WorldFeeder.Report fed = new WorldFeeder(bootstrapServers).feed(world, patience);
        out.printf("fed %d commands%s%n", fed.sent(),
                fed.neverSent().isEmpty() ? "" : "; never sent, their event never came: " + fed.neverSent());
        PlatformSummary summary = PlatformSummary.await(bootstrapServers, placed, timeout);
        out.println("every saga has finished:");
        summary.lines().forEach(line -> out.println("  " + line));
        printViews(bootstrapServers, placed, out);
        out.flush();
        return summary.moneyConserved() && fed.neverSent().isEmpty();
    }

    /** Each order of the world and the outcome it was planned to have. */
    public static Map<String, String> plannedOutcomes(World world) throws UndecodableRecordException {
        Map<String, String> planned = new HashMap<>();
        for (ScriptedCommand entry : world.script()) {
            if (entry.getPlannedOutcome() != null) {
                planned.put(COMMANDS.decode(entry.getCommand().array()).getSubjectId(), entry.getPlannedOutcome());
            }
        }
        return planned;
    }

    /** The views, read through memory images once the view job has caught up with every order. */
    private static void printViews(String bootstrapServers, int orders, PrintWriter out) throws Exception {
        out.println("views:");
        for (String view : TopicCatalog.VIEWS) {
            try (MemoryImage image = MemoryImage.follow(bootstrapServers, view)) {
                Instant deadline = Instant.now().plusSeconds(60);
                while (view.equals(Views.ORDER_STATUS.name()) && image.scan().size() < orders
                        && Instant.now().isBefore(deadline)) {
                    Thread.sleep(200); // the view job may still be folding the last events
                }
                image.awaitCaughtUp(Duration.ofSeconds(60));
                out.printf("  %-16s %5d rows%n", view, image.scan().size());
                if (view.equals(Views.ORDER_STATUS.name())) {
                    image.get("order-0").ifPresent(row -> out.println("  order-0: " + row.getRow()));
                }
            }
        }
    }
}
