package io.factstream.statetools;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

import io.factstream.catalog.BoundedContext;
import io.factstream.jobs.JobOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;

/**
 * {@code state-tools}: the command line over the jobs' state. Each subcommand runs a Flink batch job in this JVM
 * (State Processor API) and prints what it found; {@code --help} on each says how.
 *
 * <p>Exit codes: 0 done; 1 the answer is "no" ({@code verify} found mismatches, {@code inspect --key} found no
 * state); 2 bad arguments; 3 the run failed (an unreadable savepoint or log, a log with a gap), with the cause on
 * one line (with {@code FACTSTREAM_DEBUG} set in the environment, the stack trace follows). {@code plan-upgrade}
 * answers with its verdict: 0 safe, 1 a migration must run first, 2 the new version cannot restore; 3 no verdict,
 * bad arguments included.
 */
@Command(name = "state-tools", mixinStandardHelpOptions = true,
        description = "Inspects, bootstraps, verifies and migrates the state of the factstream jobs.",
        subcommands = {InspectCommand.class, BootstrapCommand.class, VerifyCommand.class, MigrateCommand.class,
                PlanUpgradeCommand.class, AsOfCommand.class})
public final class StateTools {

    static final int EXIT_NO = 1;
    static final int EXIT_FAILED = 3;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with failures printed as one line instead of a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new StateTools())
                .registerConverter(BoundedContext.class, BoundedContext::byId)
                .setExecutionExceptionHandler((e, cmd, parseResult) -> {
                    PrintWriter err = cmd.getErr();
                    err.println(cmd.getCommandSpec().qualifiedName() + ": " + cause(e));
                    if (System.getenv("FACTSTREAM_DEBUG") != null) {
                        e.printStackTrace(err);
                    }
                    err.flush();
                    return EXIT_FAILED;
                });
    }

    /** A batch environment in this JVM, configured as the jobs are (no Kryo fallback). */
    static StreamExecutionEnvironment batchEnvironment() {
        return StreamExecutionEnvironment.getExecutionEnvironment(batchConfiguration());
    }

    /**
     * A batch environment for writing a savepoint: as {@link #batchEnvironment}, but the State Processor API hands
     * its own records of state (the existing operators' {@code OperatorState}, the written
     * {@code OperatorSubtaskState}) on as generic types, so generic types are allowed (the factstream records in
     * the job stay Avro: their types are given explicitly), and those two, which are {@code Serializable}, go
     * through Kryo's Java serialization: Kryo's own way of creating them fails on Java 17.
     */
    static StreamExecutionEnvironment savepointWritingEnvironment() {
        Configuration config = batchConfiguration();
        config.set(PipelineOptions.GENERIC_TYPES, true);
        config.set(PipelineOptions.SERIALIZATION_CONFIG, List.of(
                javaSerialized("org.apache.flink.runtime.checkpoint.OperatorState"),
                javaSerialized("org.apache.flink.runtime.checkpoint.OperatorSubtaskState")));
        return StreamExecutionEnvironment.getExecutionEnvironment(config);
    }

    /** The jobs' configuration, in batch mode. */
    private static Configuration batchConfiguration() {
        JobOptions options = new JobOptions();
        options.checkpointInterval = Duration.ofSeconds(2);
        options.mode = RuntimeExecutionMode.BATCH;
        return options.configuration();
    }

    private static String javaSerialized(String type) {
        return type + ": {type: kryo, kryo-type: default, class: com.esotericsoftware.kryo.serializers.JavaSerializer}";
    }

    /**
     * Runs the job that makes these lines, prints each on the command's output as it comes, and returns how many
     * there were; a job that reads a log shows on the error output how far it has come.
     */
    static long printLines(DataStream<String> lines, String job, CommandSpec spec, boolean readsLog)
            throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long printed = 0;
        try (Progress progress = readsLog
                ? new Progress("log records", -1, spec.commandLine().getErr(), Duration.ofSeconds(2)) : null;
             CloseableIterator<String> results = lines.executeAndCollect(job)) {
            while (results.hasNext()) {
                out.println(results.next());
                printed++;
            }
        }
        out.flush();
        return printed;
    }

    /** The innermost cause of a failure, in one line: a Flink job failure wraps it several times. */
    static String cause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        boolean plain = cause instanceof IllegalStateException || cause instanceof IllegalArgumentException;
        String line = message == null ? cause.getClass().getSimpleName()
                : plain ? message : cause.getClass().getSimpleName() + ": " + message;
        return line.replace('\n', ' ');
    }
}
