package io.factstream.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.factstream.jobs.PlatformJob;

/**
 * A local platform for a test: real broker, JobManager and TaskManager processes on free ports, everything in a
 * temporary directory, the job jar and Flink lib this build made. {@link #close} brings it down and checks that no
 * process of it is left.
 */
final class PlatformFixture implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofMinutes(3);
    /** Long enough that the saga does not time out an order while a killed TaskManager is replaced. */
    static final Duration SAGA_TIMEOUT = Duration.ofMinutes(1);
    /**
     * Long enough that the saga does not time out an order that waits through several TaskManager kills in a row
     * (each replacement took 10 to 30 s here: three of them outlast {@link #SAGA_TIMEOUT}).
     */
    static final Duration CHAOS_SAGA_TIMEOUT = Duration.ofMinutes(2);

    private final LocalPlatform platform;
    private final List<Long> pids = new ArrayList<>();

    PlatformFixture(Path dataDir) throws IOException {
        this(dataDir, SAGA_TIMEOUT);
    }

    PlatformFixture(Path dataDir, Duration sagaTimeout) throws IOException {
        this(dataDir, sagaTimeout, LocalKafka.Security.PLAINTEXT);
    }

    PlatformFixture(Path dataDir, Duration sagaTimeout, LocalKafka.Security security) throws IOException {
        Path root = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();
        this.platform = new LocalPlatform(LocalPlatform.Settings.onFreePorts(root, dataDir, security, "2048m",
                Duration.ofSeconds(1), sagaTimeout));
    }

    LocalPlatform platform() {
        return platform;
    }

    String bootstrapServers() {
        return platform.kafka().bootstrapServers();
    }

    /** Brings the platform up with these jobs and remembers its processes. */
    List<String> up(List<PlatformJob> jobs) throws LocalPlatformException {
        List<String> steps = platform.up(jobs);
        rememberProcesses();
        return steps;
    }

    /** Notes the pids of the running processes, so that {@link #close} can check each one is gone. */
    void rememberProcesses() {
        platform.kafka().status().pid().ifPresent(pids::add);
        pids.addAll(platform.flink().pids());
    }

    String runningJobId(PlatformJob job) throws LocalPlatformException {
        Optional<String> id = platform.runningJobId(job);
        assertThat(id).as(job.id() + " runs").isPresent();
        return id.orElseThrow();
    }

    /**
     * Stops the job with a savepoint through Flink's REST API, behind the launcher's back, as
     * {@code flink stop --savepointPath} would. Returns the savepoint.
     */
    String stopThroughFlinkRest(PlatformJob job) throws LocalPlatformException {
        return platform.flink().rest().stopWithSavepoint(runningJobId(job), platform.flink().savepointDir(), TIMEOUT);
    }

    /**
     * Runs the job's last jar with its arguments from a savepoint at a parallelism through Flink's REST API, as
     * {@code flink run -s <savepoint> -p <parallelism>} would; the launcher's next {@code up} adopts it. Returns the
     * new job's id.
     */
    String runThroughFlinkRest(PlatformJob job, String savepoint, int parallelism) throws LocalPlatformException {
        FlinkRest rest = platform.flink().rest();
        List<JobLedger.Entry> history = platform.history(job);
        JobLedger.Entry last = history.get(history.size() - 1);
        List<String> args = new ArrayList<>(job.args());
        args.addAll(List.of("--bootstrap-servers", bootstrapServers(), "--checkpoint-interval", "PT1S",
                "--parallelism", Integer.toString(parallelism)));
        String id = rest.run(rest.uploadJar(last.jar()), job.entryClass(), args, Optional.of(parallelism),
                Optional.of(savepoint));
        rest.awaitRunning(id, TIMEOUT);
        return id;
    }

    @Override
    public void close() throws LocalPlatformException {
        rememberProcesses();
        try {
            platform.down();
            assertThat(pids).as("every process of the platform has ended").allSatisfy(pid ->
                    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true)));
        } finally {
            // Whatever failed above, no process of this test outlives it.
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }
}
