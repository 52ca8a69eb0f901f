package io.factstream.testdata;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** Generates world logs and describes them: {@code world generate ...}, {@code world describe <log>}. */
@Command(name = "world", mixinStandardHelpOptions = true, description = "Generates and describes world logs.",
        subcommands = {WorldTool.Generate.class, WorldTool.Describe.class})
public final class WorldTool {

    public static void main(String[] args) {
        System.exit(new CommandLine(new WorldTool())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                    return 3;
                })
                .execute(args));
    }

    @Command(name = "generate", mixinStandardHelpOptions = true, description = "Writes a generated world's log.")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--customers", defaultValue = "300", description = "Customers (default: ${DEFAULT-VALUE}).")
        int customers;
        @Option(names = "--orders", defaultValue = "1000", description = "Orders (default: ${DEFAULT-VALUE}).")
        int orders;
        @Option(names = "--span", defaultValue = "PT60S",
                description = "Time over which orders are placed (default: ${DEFAULT-VALUE}).")
        Duration span;
        @Parameters(description = "The log file to write.")
        Path file;

        @Override
        public Integer call() throws Exception {
            World world = WorldGenerator.generate(new WorldGenerator.Parameters(seed, customers, orders, span));
            WorldLog.write(world, file);
            System.out.printf("wrote %s: %d commands%n", file, world.script().size());
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Prints a log's parameters and planned outcomes.")
    static final class Describe implements Callable<Integer> {
        @Parameters(description = "The log file to read.")
        Path file;

        @Override
        public Integer call() throws Exception {
            World world = WorldLog.read(file);
            System.out.printf("%s: %s, %d commands%n", file, world.parameters(), world.script().size());
            Map<String, Integer> planned = new TreeMap<>();
            world.script().forEach(c -> {
                if (c.getPlannedOutcome() != null) {
                    planned.merge(c.getPlannedOutcome(), 1, Integer::sum);
                }
            });
            planned.forEach((outcome, count) -> System.out.printf("  %-28s %6d%n", outcome, count));
            return 0;
        }
    }
}
