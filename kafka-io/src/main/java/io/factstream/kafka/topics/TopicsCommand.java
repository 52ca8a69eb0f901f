package io.factstream.kafka.topics;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import io.factstream.catalog.access.AccessCatalog;
import io.factstream.catalog.access.Principal;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.topics.TopicSpec;
import io.factstream.kafka.clients.KafkaPropertiesOption;
import io.factstream.kafka.dump.TopicDump;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The command line of {@link TopicAdmin}: {@code topics ensure}, {@code topics check} (topics and ACLs),
 * {@code topics list} and {@code topics acls};
 * and of {@link TopicDump}: {@code topics dump} and {@code topics load}.
 *
 * <p>Exit codes: 0 when every topic and ACL is as the catalogs say, 1 when a topic or ACL is missing or differs,
 * 2 for bad arguments, 3 when Kafka refused or did not answer or a file could not be read or written (with the cause
 * on one line).
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Creates and checks the platform's Kafka topics against the topic catalog.",
        subcommands = {TopicsCommand.Ensure.class, TopicsCommand.Check.class, TopicsCommand.ListTopics.class,
                TopicsCommand.Acls.class,
                TopicsCommand.Dump.class, TopicsCommand.Load.class})
public final class TopicsCommand {

    static final int EXIT_DIFFERS = 1;
    static final int EXIT_KAFKA_FAILED = 3;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with errors printed as one line instead of a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new TopicsCommand())
                .setExecutionExceptionHandler((e, cmd, parseResult) -> {
                    cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                    return EXIT_KAFKA_FAILED;
                });
    }

    /** Options shared by the subcommands. */
    static final class Sizing {
        @Option(names = "--partitions", defaultValue = "" + TopicCatalog.DEFAULT_PARTITIONS,
                description = "Partitions of every topic (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--replication-factor", defaultValue = "" + TopicCatalog.DEFAULT_REPLICATION_FACTOR,
                description = "Replicas of every partition (default: ${DEFAULT-VALUE}).")
        short replicationFactor;

        TopicCatalog catalog() {
            return TopicCatalog.sized(partitions, replicationFactor);
        }
    }

    /** Options of the subcommands that talk to a cluster. */
    static final class Connection {
        @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "localhost:9092",
                description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
        String bootstrapServers;

        @Mixin
        KafkaPropertiesOption kafkaProperties;

        @Option(names = "--timeout", defaultValue = "PT30S",
                description = "How long to wait for Kafka, ISO-8601 (default: ${DEFAULT-VALUE}).")
        Duration timeout;
    }

    @Command(name = "ensure", mixinStandardHelpOptions = true,
            description = "Creates the missing topics and grants the access catalog's missing ACLs; reports topics "
                    + "that differ from the catalog and ACLs beyond it.")
    static final class Ensure implements Callable<Integer> {
        @Mixin
        Sizing sizing;
        @Mixin
        Connection connection;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws TopicAdminException {
            try (TopicAdmin admin = TopicAdmin.connect(connection.bootstrapServers, connection.timeout)) {
                return print(admin.ensure(sizing.catalog()), admin.ensure(AccessCatalog.standard()),
                        spec.commandLine().getOut());
            }
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Reports missing topics, topics that differ from the catalog, missing ACLs and ACLs beyond "
                    + "the access catalog; changes nothing.")
    static final class Check implements Callable<Integer> {
        @Mixin
        Sizing sizing;
        @Mixin
        Connection connection;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws TopicAdminException {
            try (TopicAdmin admin = TopicAdmin.connect(connection.bootstrapServers, connection.timeout)) {
                return print(admin.check(sizing.catalog()), admin.check(AccessCatalog.standard()),
                        spec.commandLine().getOut());
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Prints the topic catalog: name, partitions, replicas, configs and purpose.")
    static final class ListTopics implements Callable<Integer> {
        @Mixin
        Sizing sizing;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            for (TopicSpec topic : sizing.catalog().topics()) {
                out.printf("%-32s %2d x%d  %-60s %s%n", topic.name(), topic.partitions(), topic.replicationFactor(),
                        new TreeMap<>(topic.configs()), topic.purpose());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "acls", mixinStandardHelpOptions = true,
            description = "Prints the access catalog: every principal and what it may do, as ensure grants it.")
    static final class Acls implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-18s %s%n", "User:" + AccessCatalog.ADMIN, "super user: topics, ACLs, credentials, redrives");
            for (Principal principal : AccessCatalog.standard().principals()) {
                principal.grants().forEach(grant -> out.printf("%-18s %s%n", principal.kafkaPrincipal(), grant));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = "Writes the committed records of topics to a topic dump file (Avro), byte for byte.")
    static final class Dump implements Callable<Integer> {
        @Option(names = "--topics", split = ",", paramLabel = "TOPIC",
                description = "Topics to dump (default: every topic of the catalog).")
        List<String> topics;
        @Option(names = "--out", required = true, description = "The dump file to write.")
        Path out;
        @Mixin
        Connection connection;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            List<String> names = topics != null ? topics
                    : TopicCatalog.standard().topics().stream().map(TopicSpec::name).toList();
            long count = TopicDump.dump(connection.bootstrapServers, names, out, connection.timeout);
            spec.commandLine().getOut().printf("%d records of %d topics written to %s%n", count, names.size(), out);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Writes the records of a topic dump file to a cluster, each to its topic and partition.")
    static final class Load implements Callable<Integer> {
        @Option(names = "--file", required = true, description = "The dump file to read.")
        Path file;
        @Mixin
        Connection connection;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            long count = TopicDump.load(file, connection.bootstrapServers, connection.timeout);
            spec.commandLine().getOut().printf("%d records of %s written to %s%n", count, file,
                    connection.bootstrapServers);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    private static int print(TopicReport topics, AclReport acls, PrintWriter out) {
        topics.lines().forEach(out::println);
        acls.lines().forEach(out::println);
        out.flush();
        return topics.consistent() && acls.consistent() ? 0 : EXIT_DIFFERS;
    }
}
