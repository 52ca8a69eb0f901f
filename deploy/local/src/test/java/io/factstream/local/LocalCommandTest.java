package io.factstream.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.jobs.PlatformJob;

import picocli.CommandLine;

/** The command line without a platform: what it says about nothing running, bad arguments, and the ledger. */
class LocalCommandTest {

    @TempDir
    Path dataDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void statusOfAPlatformThatNeverRanSaysSoForEveryPart() {
        int exitCode = run("status", "--data-dir", dataDir.toString(), "--kafka-port", "1", "--rest-port", "1");

        assertThat(exitCode).isZero();
        assertThat(out.toString()).contains("kafka stopped", "flink stopped", "orders    never started",
                "views     never started");
    }

    @Test
    void anUnknownJobIsABadArgumentNamingTheJobs() {
        int exitCode = run("savepoint", "pizzas", "--data-dir", dataDir.toString());

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("no job 'pizzas'; the jobs are "
                + PlatformJob.all().stream().map(PlatformJob::id).toList());
    }

    @Test
    void aRunbookOnAJobThatDoesNotRunFailsWithOneLine() {
        int exitCode = run("upgrade", "orders", "new.jar", "--data-dir", dataDir.toString(), "--rest-port", "1");

        assertThat(exitCode).isEqualTo(3);
        assertThat(err.toString().strip()).isEqualTo("factstream upgrade: orders is not running; start the platform "
                + "with up");
    }

    @Test
    void onlyJobsAreRedrivenAndChaosTakesOnlyItsTargets() {
        int gateway = run("redrive", "gateway", "--data-dir", dataDir.toString());
        String gatewayErr = err.toString();
        int target = run("chaos", "--targets", "taskmanager,jobmanager", "--data-dir", dataDir.toString());

        assertThat(gateway).isEqualTo(2);
        assertThat(gatewayErr).contains("no job 'gateway'");
        assertThat(target).isEqualTo(2);
        assertThat(err.toString()).contains("'jobmanager' is neither taskmanager nor broker");
    }

    @Test
    void theLedgerReadsBackWhatItWrote() throws Exception {
        JobLedger ledger = new JobLedger(dataDir);
        JobLedger.Entry started = new JobLedger.Entry(Instant.parse("2026-11-26T10:00:00Z"), "started", "abc",
                Path.of("/jars/v1.jar"), "io.factstream.jobs.AggregateJob", 1, JobLedger.Entry.NONE);
        JobLedger.Entry stopped = new JobLedger.Entry(Instant.parse("2026-11-26T10:05:00Z"), "stopped",
                JobLedger.Entry.NONE, Path.of("/jars/v1.jar"), "io.factstream.jobs.AggregateJob", 1,
                "file:/savepoints/savepoint-abc");

        ledger.append("orders", started);
        ledger.append("orders", stopped);

        assertThat(ledger.history("orders")).containsExactly(started, stopped);
        assertThat(ledger.last("orders").orElseThrow().leftRunning()).isFalse();
        assertThat(stopped.savepointPath()).contains("file:/savepoints/savepoint-abc");
        assertThat(ledger.last("views")).isEmpty();
    }

    private int run(String... args) {
        CommandLine command = LocalCommand.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }
}
