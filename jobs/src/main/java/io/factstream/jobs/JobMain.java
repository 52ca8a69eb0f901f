package io.factstream.jobs;

import picocli.CommandLine;

/**
 * Runs a job's command line wherever its {@code main} is called: {@code flink run}, Flink's REST jar run, the
 * Kubernetes operator's application mode, a plain JVM. A failure (a bad argument, a graph that cannot be built)
 * becomes an exception, never {@code System.exit}: a jar run executes {@code main} inside the JobManager, where an
 * exit would take every job of the cluster down with it.
 */
public final class JobMain {

    private JobMain() {
    }

    /** Executes the command line; throws when it fails (picocli has printed the cause and the usage). */
    public static void run(CommandLine command, String[] args) {
        int exitCode = command.execute(args);
        if (exitCode != 0) {
            throw new IllegalArgumentException(command.getCommandName() + " did not start (exit code " + exitCode
                    + "); the cause is printed above");
        }
    }
}
