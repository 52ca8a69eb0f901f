package io.factstream.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import io.factstream.catalog.access.AccessCatalog;
import io.factstream.kafka.clients.KafkaClientProperties;
import io.factstream.kafka.read.ReadCommand;
import io.factstream.kafka.topics.TopicsCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The local platform's command line, run by {@code deploy/local/factstream}: {@code demo}, {@code up},
 * {@code down} and {@code status} for the whole platform; {@code savepoint}, {@code upgrade}, {@code rollback} and
 * {@code replay}, the runbooks; {@code chaos} and {@code audit}; {@code kafka} and {@code flink} for one process
 * kind; {@code topics} for the catalog topics; {@code views} and {@code events} for the read side.
 *
 * <p>Exit codes: 0 on success, 1 when the broker is not running ({@code status}), topics differ or the audit finds
 * a violation, 2 for bad arguments, 3 when something failed, with the cause on one line.
 */
@Command(name = "factstream", mixinStandardHelpOptions = true,
        description = "Runs factstream's local platform on this machine.",
        subcommands = {PlatformCommands.Demo.class, PlatformCommands.Up.class, PlatformCommands.Down.class,
                PlatformCommands.Status.class, PlatformCommands.Savepoint.class, PlatformCommands.Upgrade.class,
                PlatformCommands.Rollback.class, PlatformCommands.Replay.class, PlatformCommands.Shadow.class,
                PlatformCommands.RedriveCommand.class,
                PlatformCommands.Chaos.class,
                PlatformCommands.Audit.class, LocalCommand.Kafka.class, PlatformCommands.Flink.class,
                TopicsCommand.class, ReadCommand.Views.class, ReadCommand.Events.class})
public final class LocalCommand {

    static final int EXIT_NOT_RUNNING = 1;
    static final String PLAINTEXT_HELP = "A new broker listens plaintext: no TLS, no authentication, no ACLs "
            + "(default: SASL_SSL with SCRAM-SHA-512 and ACLs). A broker that has run keeps its own.";
    static final int EXIT_FAILED = 3;

    /** The local platform's administrator client file, for the commands that do not name a platform. */
    private static final Path LOCAL_ADMIN = Path.of(".local-platform", "kafka", "security",
            AccessCatalog.ADMIN + ".properties");

    public static void main(String[] args) {
        // topics, views and events reach the local platform's secured broker as its administrator unless
        // --kafka-properties or the environment names other properties.
        if (KafkaClientProperties.file().isEmpty() && Files.exists(LOCAL_ADMIN)) {
            KafkaClientProperties.use(LOCAL_ADMIN);
        }
        System.exit(commandLine().execute(args));
    }

    /** The command line, with failures printed as one line instead of a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new LocalCommand())
                .setExecutionExceptionHandler((e, cmd, parseResult) -> {
                    cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                    return EXIT_FAILED;
                });
    }

    /** Where the broker keeps its data and listens. */
    static final class BrokerOptions {
        @Option(names = "--data-dir", defaultValue = ".local-platform/kafka",
                description = "Data directory of the broker (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--port", defaultValue = "9092",
                description = "Port of the client listener (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--controller-port", defaultValue = "9093",
                description = "Port of the KRaft controller listener (default: ${DEFAULT-VALUE}).")
        int controllerPort;

        @Option(names = "--timeout", defaultValue = "PT60S",
                description = "How long to wait for the broker, ISO-8601 (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Option(names = "--plaintext",
                description = PLAINTEXT_HELP)
        boolean plaintext;

        LocalKafka broker() {
            return new LocalKafka(dataDir, port, controllerPort,
                    plaintext ? LocalKafka.Security.PLAINTEXT : LocalKafka.Security.SASL_SSL);
        }
    }

    @Command(name = "kafka", mixinStandardHelpOptions = true,
            description = "Starts, stops or reports the local Kafka broker process.",
            subcommands = {Start.class, Stop.class, Status.class})
    static final class Kafka {
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Starts the broker (formatting its storage the first time) and waits until it answers.")
    static final class Start implements Callable<Integer> {
        @Mixin
        BrokerOptions options;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws LocalPlatformException {
            LocalKafka broker = options.broker();
            spec.commandLine().getOut().println("kafka " + broker.start(options.timeout)
                    + "; output in " + broker.outputFile());
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stops the broker with a controlled shutdown; kills it after the timeout.")
    static final class Stop implements Callable<Integer> {
        @Mixin
        BrokerOptions options;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws LocalPlatformException {
            spec.commandLine().getOut().println("kafka " + options.broker().stop(options.timeout));
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Reports whether the broker runs and answers; exit code 1 when it does not.")
    static final class Status implements Callable<Integer> {
        @Mixin
        BrokerOptions options;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            LocalKafka.Status status = options.broker().status();
            spec.commandLine().getOut().println("kafka " + status);
            return status.state() == LocalKafka.State.RUNNING ? 0 : EXIT_NOT_RUNNING;
        }
    }
}
