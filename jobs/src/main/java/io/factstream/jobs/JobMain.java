package io.factstream.jobs;

import java.util.concurrent.atomic.AtomicReference;

import picocli.CommandLine;

/**
 * Runs a job's command line wherever its {@code main} is called: {@code flink run}, Flink's REST jar run, the
 * Kubernetes operator's application mode, a plain JVM. A failure (a bad argument, a graph that cannot be built)
 * becomes an exception, never {@code System.exit}: a jar run executes {@code main} inside the JobManager, where an
 * exit would take every job of the cluster down with it.
 *
 * <p>A refusal the job foresaw (an {@link IllegalArgumentException} or {@link IllegalStateException}: Kafka refused
 * its password, its principal lacks an ACL, a file cannot be read) is printed as one line and becomes the message of
 * the exception, which Flink's CLI and REST API show; anything else is printed with its stack trace.
 */
public final class JobMain {

    private JobMain() {
    }

    /** Executes the command line; throws when it fails, with the cause's one line as its message when it has one. */
    public static void run(CommandLine command, String[] args) {
        AtomicReference<Exception> refused = new AtomicReference<>();
        CommandLine.IExecutionExceptionHandler printStackTrace = command.getExecutionExceptionHandler();
        command.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                refused.set(e);
                cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
                return cmd.getCommandSpec().exitCodeOnExecutionException();
            }
            return printStackTrace.handleExecutionException(e, cmd, parseResult);
        });
        int exitCode = command.execute(args);
        if (refused.get() != null) {
            throw new IllegalArgumentException(command.getCommandName() + " did not start: "
                    + refused.get().getMessage(), refused.get());
        }
        if (exitCode != 0) {
            throw new IllegalArgumentException(command.getCommandName() + " did not start (exit code " + exitCode
                    + "); the cause is printed above");
        }
    }
}
