package io.factstream.embedded;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import io.factstream.testdata.World;
import io.factstream.testdata.WorldGenerator;
import io.factstream.testdata.WorldLog;
import io.factstream.testdata.WorldPlay;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

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
                : WorldGenerator.generate(WorldGenerator.Parameters.ofOrders(orders, seed));
        try (EmbeddedPlatform platform = EmbeddedPlatform.start(EmbeddedPlatform.Settings.quick(),
                EmbeddedPlatform.Logic.standard())) {
            System.out.printf("platform up: Kafka at %s, Flink web UI at %s, jobs %s%n", platform.bootstrapServers(),
                    platform.webInterface(), platform.jobs().keySet());
            return WorldPlay.play(world, platform.bootstrapServers(), Duration.ofSeconds(60), timeout,
                    new PrintWriter(System.out, true)) ? 0 : 1;
        }
    }
}
