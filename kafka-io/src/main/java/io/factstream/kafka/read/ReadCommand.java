package io.factstream.kafka.read;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.wire.AvroJson;
import io.factstream.kafka.clients.KafkaPropertiesOption;
import io.factstream.views.ViewRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * The read side on the command line, printing JSON, one record per line: {@code views get|scan|history} over the
 * views' topics and {@code events stream|all|last} over the event store.
 */
public final class ReadCommand {

    private ReadCommand() {
    }

    /** Where Kafka is. */
    static final class Connection {
        @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "localhost:9092",
                description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
        String bootstrapServers;

        @Mixin
        KafkaPropertiesOption kafkaProperties;
    }

    @Command(name = "views", mixinStandardHelpOptions = true, description = "Reads the views.",
            subcommands = {Get.class, Scan.class, History.class})
    public static final class Views {
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Prints one row of a view.")
    static final class Get implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Parameters(index = "0", description = "The view: order-status, customer-orders or kitchen-queue.")
        String view;
        @Parameters(index = "1", description = "The row's key.")
        String key;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (MemoryImage image = MemoryImage.follow(connection.bootstrapServers, view)) {
                image.awaitCaughtUp(Duration.ofSeconds(60));
                PrintWriter out = spec.commandLine().getOut();
                var row = image.get(key);
                row.ifPresent(out::println);
                out.flush();
                if (row.isEmpty()) {
                    spec.commandLine().getErr().println("views get: " + view + " has no row " + key);
                    return 1;
                }
                return 0;
            }
        }
    }

    @Command(name = "scan", mixinStandardHelpOptions = true, description = "Prints the rows of a view, by key.")
    static final class Scan implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Parameters(description = "The view: order-status, customer-orders or kitchen-queue.")
        String view;
        @Option(names = "--limit", defaultValue = "100", description = "At most this many rows (default: ${DEFAULT-VALUE}).")
        int limit;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (MemoryImage image = MemoryImage.follow(connection.bootstrapServers, view)) {
                image.awaitCaughtUp(Duration.ofSeconds(60));
                print(spec, image.scan().stream().limit(limit).toList());
                return 0;
            }
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "Prints every version of one row.")
    static final class History implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Parameters(index = "0", description = "The view.")
        String view;
        @Parameters(index = "1", description = "The row's key.")
        String key;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<ViewRow> versions = new ViewHistory(connection.bootstrapServers).of(view, key);
            print(spec, versions);
            return versions.isEmpty() ? 1 : 0;
        }
    }

    @Command(name = "events", mixinStandardHelpOptions = true, description = "Reads the event store.",
            subcommands = {Stream.class, All.class, Last.class})
    public static final class Events {
    }

    @Command(name = "stream", mixinStandardHelpOptions = true,
            description = "Prints one aggregate's events after a sequence number.")
    static final class Stream implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Parameters(index = "0", description = "The context: orders, payments, kitchen or delivery.")
        String context;
        @Parameters(index = "1", description = "The aggregate id.")
        String aggregateId;
        @Option(names = "--after", defaultValue = "0", description = "Sequence number to start after (default: 0).")
        long after;
        @Option(names = "--limit", defaultValue = "100", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            print(spec, new EventStoreReader(connection.bootstrapServers)
                    .eventsOfStream(BoundedContext.byId(context), aggregateId, after, limit));
            return 0;
        }
    }

    @Command(name = "all", mixinStandardHelpOptions = true,
            description = "Prints events of all streams after a position, then the next position on stderr.")
    static final class All implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Option(names = "--after", defaultValue = "", description = "Position to start after (default: the start).")
        String after;
        @Option(names = "--limit", defaultValue = "100", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            EventStoreReader.Page page = new EventStoreReader(connection.bootstrapServers)
                    .eventsOfAllStreams(Position.parse(after), limit);
            print(spec, page.events());
            spec.commandLine().getErr().println("next position: " + page.next());
            return 0;
        }
    }

    @Command(name = "last", mixinStandardHelpOptions = true, description = "Prints the position after every event.")
    static final class Last implements Callable<Integer> {
        @Mixin
        Connection connection;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(new EventStoreReader(connection.bootstrapServers).lastPosition());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    private static void print(CommandLine.Model.CommandSpec spec, List<?> records) {
        PrintWriter out = spec.commandLine().getOut();
        records.forEach(record -> out.println(AvroJson.of(record)));
        out.flush();
    }
}
