package io.factstream.testdata;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

import io.factstream.domain.views.OrderStatusProjection;
import io.factstream.read.MemoryImage;
import io.factstream.topics.TopicCatalog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The embedded way to see the platform work: starts a broker, Flink and the five jobs in this JVM, plays a world
 * (the committed sample log, another log, or a freshly generated one) in real time, waits until every saga has
 * finished, and prints what happened.
 */
@Command(name = "embedded", mixinStandardHelpOptions = true,
        description = "Runs the whole platform in this JVM over a simulated world and prints a summary.")
public final class EmbeddedRun implements Callable<Integer> {

    @Option(names = "--log", defaultValue = "test-data/logs/sample-1000.avro",
            description = "The world log to play (default: ${DEFAULT-VALUE}).")
    Path log;

    @Option(names = "--orders", description = "Generate a world with this many orders instead of playing a log.")
    Integer orders;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of a generated world (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--timeout", defaultValue = "PT10M",
            description = "How long to wait for every saga to finish (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /** The views, read through memory images once the view job has caught up with every order. */
    private static void printViews(String bootstrapServers, int orders) throws Exception {
        System.out.println("views:");
        for (String view : TopicCatalog.VIEWS) {
            try (MemoryImage image = MemoryImage.follow(bootstrapServers, view)) {
                Instant deadline = Instant.now().plusSeconds(60);
                while (view.equals(OrderStatusProjection.VIEW) && image.scan().size() < orders
                        && Instant.now().isBefore(deadline)) {
                    Thread.sleep(200); // the view job may still be folding the last events
                }
                image.awaitCaughtUp(Duration.ofSeconds(60));
                System.out.printf("  %-16s %5d rows%n", view, image.scan().size());
                if (view.equals(OrderStatusProjection.VIEW)) {
                    image.get("order-0").ifPresent(row -> System.out.println("  order-0: " + row.getRow()));
                }
            }
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new EmbeddedRun())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("embedded: " + e.getMessage());
                    return 3;
                })
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        World world = orders == null ? WorldLog.read(log)
                : WorldGenerator.generate(new WorldGenerator.Parameters(seed, Math.max(10, orders / 3), orders,
                Duration.ofSeconds(Math.max(10, orders / 15))));
        int placed = (int) world.script().stream().filter(c -> c.getPlannedOutcome() != null).count();
        System.out.printf("world %s: %d commands, %d orders%n", world.parameters(), world.script().size(), placed);
        try (EmbeddedPlatform platform = EmbeddedPlatform.start(EmbeddedPlatform.Settings.quick(),
                EmbeddedPlatform.Logic.standard())) {
            System.out.printf("platform up: Kafka at %s, Flink web UI at %s, jobs %s%n", platform.bootstrapServers(),
                    platform.webInterface(), platform.jobs().keySet());
            WorldFeeder.Report fed = new WorldFeeder(platform.bootstrapServers()).feed(world, Duration.ofSeconds(60));
            System.out.printf("fed %d commands%s%n", fed.sent(),
                    fed.neverSent().isEmpty() ? "" : "; never sent, their event never came: " + fed.neverSent());
            PlatformSummary summary = platform.awaitSagasFinished(placed, timeout);
            System.out.println("every saga has finished:");
            summary.lines().forEach(line -> System.out.println("  " + line));
            printViews(platform.bootstrapServers(), placed);
            return summary.moneyConserved() && fed.neverSent().isEmpty() ? 0 : 1;
        }
    }
}
