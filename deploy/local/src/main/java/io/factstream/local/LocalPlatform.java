package io.factstream.local;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import io.factstream.topics.TopicAdmin;
import io.factstream.topics.TopicAdminException;
import io.factstream.topics.TopicCatalog;
import io.factstream.topics.TopicReport;

/**
 * The whole platform on this machine: the broker, the Flink session cluster, the catalog topics and the six jobs,
 * and the runbooks that move jobs through savepoints ({@link #savepoint}, {@link #upgrade}, {@link #rollback},
 * {@link #replay}). Everything it knows lives in the data directory: the processes' pid files and logs, the
 * checkpoints and savepoints, and a {@link JobLedger} per job.
 *
 * <p>{@link #down} stops every job with a savepoint before it stops the processes, and {@link #up} resumes each job
 * from its last savepoint: the aggregates, sagas and views keep their state across a restart of the platform.
 */
public final class LocalPlatform {

    /**
     * How the platform runs.
     *
     * @param checkpointInterval every job's checkpoint interval: how soon its outputs become visible
     * @param sagaTimeout        the saga's kitchen and delivery timeouts (short, so that a demo sees them fire)
     */
    public record Settings(Path dataDir, int kafkaPort, int kafkaControllerPort, LocalFlink.Settings flink,
                           Path flinkConf, Path flinkLib, Path jobsJar, int partitions, Duration checkpointInterval,
                           Duration sagaTimeout, Duration timeout) {
    }

    private final Settings settings;
    private final LocalKafka kafka;
    private final LocalFlink flink;
    private final JobLedger ledger;

    public LocalPlatform(Settings settings) {
        this.settings = settings;
        Path dataDir = settings.dataDir().toAbsolutePath().normalize();
        this.kafka = new LocalKafka(dataDir.resolve("kafka"), settings.kafkaPort(), settings.kafkaControllerPort());
        this.flink = new LocalFlink(dataDir.resolve("flink"), settings.flinkConf(), settings.flinkLib(),
                settings.flink());
        this.ledger = new JobLedger(dataDir.resolve("jobs"));
    }

    public LocalKafka kafka() {
        return kafka;
    }

    public LocalFlink flink() {
        return flink;
    }

    /**
     * Starts what does not run: the broker, the topics, the cluster, and every job that is not running (from its
     * last savepoint when it has one). Returns a line per step.
     */
    public List<String> up() throws LocalPlatformException {
        return up(List.of(PlatformJob.values()));
    }

    /** Starts the broker, the topics, the cluster and those of the jobs that do not run. */
    public List<String> up(Collection<PlatformJob> jobs) throws LocalPlatformException {
        List<String> steps = new ArrayList<>();
        steps.add("kafka " + kafka.start(settings.timeout()));
        try (TopicAdmin admin = TopicAdmin.connect(kafka.bootstrapServers(), settings.timeout())) {
            TopicReport report = admin.ensure(TopicCatalog.sized(settings.partitions(), (short) 1));
            steps.add("topics: " + report.created().size() + " created, " + report.unchanged().size() + " in place"
                    + (report.drifted().isEmpty() ? "" : ", differing from the catalog: " + report.drifted()));
        } catch (TopicAdminException e) {
            throw new LocalPlatformException("cannot create the topics: " + e.getMessage(), e);
        }
        steps.add("flink " + flink.start(settings.timeout()));
        for (PlatformJob job : jobs) {
            Optional<String> running = runningJobId(job);
            if (running.isPresent()) {
                steps.add(job.id() + " runs as " + running.get());
                continue;
            }
            Optional<JobLedger.Entry> last = ledger.last(job);
            Path jar = last.map(JobLedger.Entry::jar).orElse(settings.jobsJar());
            String entryClass = last.map(JobLedger.Entry::entryClass).orElse(job.entryClass());
            Optional<String> savepoint = resumePoint(last);
            String id = submit(job, jar, entryClass, Optional.empty(), savepoint, "started", List.of());
            steps.add(job.id() + " started as " + id + savepoint.map(s -> " from " + s).orElse(""));
        }
        return steps;
    }

    /**
     * Where a job that does not run resumes: the savepoint its last step took; or, when the platform went down
     * without stopping it (killed, machine restarted), its latest retained checkpoint; or, if it never completed
     * one, the savepoint it started from, since without a checkpoint it committed neither outputs nor offsets.
     */
    private Optional<String> resumePoint(Optional<JobLedger.Entry> last) throws LocalPlatformException {
        if (last.isEmpty()) {
            return Optional.empty();
        }
        if (last.get().leftRunning()) {
            Optional<Path> checkpoint = flink.latestRetainedCheckpoint(last.get().jobId());
            if (checkpoint.isPresent()) {
                return Optional.of(checkpoint.get().toUri().toString());
            }
        }
        return last.get().savepointPath();
    }

    /**
     * Stops every running job with a savepoint (recorded, for the next {@link #up}), then the cluster and the
     * broker. A job that cannot take a savepoint (restarting, say) is cancelled and will resume from its latest
     * retained checkpoint. Nothing of the platform runs afterwards.
     */
    public List<String> down() throws LocalPlatformException {
        List<String> steps = new ArrayList<>();
        if (flink.running()) {
            for (PlatformJob job : PlatformJob.values()) {
                Optional<String> running = runningJobId(job);
                if (running.isPresent()) {
                    steps.add(stopForDown(job, running.get()));
                }
            }
        }
        steps.add("flink " + flink.stop(settings.timeout()));
        steps.add("kafka " + kafka.stop(settings.timeout()));
        return steps;
    }

    private String stopForDown(PlatformJob job, String jobId) throws LocalPlatformException {
        try {
            return job.id() + " stopped with savepoint " + stopWithSavepoint(job, jobId, "stopped");
        } catch (LocalPlatformException noSavepoint) {
            String ended;
            try {
                flink.rest().cancel(jobId, settings.timeout());
                ended = "cancelled";
            } catch (LocalPlatformException notCancelled) {
                ended = "left to end with the cluster"; // stopping the processes below ends it all the same
            }
            // The ledger still names the job as running: the next up resumes it from its latest checkpoint.
            return job.id() + " " + ended + " without a savepoint (" + noSavepoint.getMessage() + "); it resumes "
                    + "from " + flink.latestRetainedCheckpoint(jobId).map(Path::toString).orElse("where it started");
        }
    }

    /** A line for each process and each job. */
    public List<String> status() throws LocalPlatformException {
        List<String> lines = new ArrayList<>();
        lines.add("kafka " + kafka.status());
        lines.add("flink " + flink.status());
        for (PlatformJob job : PlatformJob.values()) {
            Optional<JobLedger.Entry> last = ledger.last(job);
            String state = last.isEmpty() ? "never started"
                    : runningJobId(job).map(id -> "runs as " + id).orElse("not running") + ", last step "
                    + last.get().action() + " at " + last.get().at() + last.get().savepointPath().map(s -> " (" + s + ")")
                    .orElse("");
            lines.add(String.format("%-9s %s", job.id(), state));
        }
        lines.add("logs: " + flink.logDir() + ", " + kafka.outputFile());
        return lines;
    }

    /** Takes a savepoint of the running job; it keeps running. */
    public String savepoint(PlatformJob job) throws LocalPlatformException {
        JobLedger.Entry current = requireRunning(job);
        String path = flink.rest().savepoint(current.jobId(), flink.savepointDir(), settings.timeout());
        ledger.append(job, new JobLedger.Entry(Instant.now(), "savepoint", current.jobId(), current.jar(),
                current.entryClass(), current.parallelism(), path));
        return path;
    }

    /**
     * Stops the job with a savepoint and starts {@code jar} from it, with another parallelism if given (up to the
     * max parallelism, 128). The new jar's entry class is its manifest's {@code Main-Class} if it names one, else
     * the job's usual one. The new version must be able to read the old state: Avro resolves added fields with
     * defaults; anything else goes through {@code state-tools migrate} first.
     */
    public String upgrade(PlatformJob job, Path jar, Optional<Integer> parallelism) throws LocalPlatformException {
        JobLedger.Entry current = requireRunning(job);
        String entryClass = mainClass(jar).orElse(job.entryClass());
        String savepoint = stopWithSavepoint(job, current.jobId(), "stopped for upgrade");
        return submit(job, jar, entryClass, parallelism.or(() -> Optional.of(current.parallelism())),
                Optional.of(savepoint), "upgraded", List.of());
    }

    /**
     * Goes back to the jar that ran before the current one: stops the job with a savepoint and starts the earlier
     * jar from it. The state moves forward, not back: nothing the job did since the upgrade is undone or done
     * twice, which is why this needs the earlier version to read the newer state (true for Avro fields added
     * with a default; the older reader skips them).
     */
    public String rollback(PlatformJob job) throws LocalPlatformException {
        JobLedger.Entry current = requireRunning(job);
        List<JobLedger.Entry> history = ledger.history(job);
        JobLedger.Entry previous = null;
        for (int i = history.size() - 1; i >= 0 && previous == null; i--) {
            if (!history.get(i).jar().equals(current.jar())) {
                previous = history.get(i);
            }
        }
        if (previous == null) {
            throw new LocalPlatformException(job.id() + " has only ever run " + current.jar()
                    + "; there is nothing to roll back to");
        }
        String savepoint = stopWithSavepoint(job, current.jobId(), "stopped for rollback");
        return submit(job, previous.jar(), previous.entryClass(), Optional.of(current.parallelism()),
                Optional.of(savepoint), "rolled-back", List.of());
    }

    /**
     * Runs the job again over its input, from an older savepoint or from the beginning with empty state.
     *
     * <p>Exactly-once covers failures, not a deliberate rewind: the replay decides again what the job decided
     * then, and since the jobs are deterministic it writes the same records again. So that no one downstream sees
     * them twice, a replay of an aggregate or of the saga writes to another Kafka cluster ({@code outputTo}) next
     * to the live job, which keeps running; readers move over once it has caught up. Only the views job is
     * replayed in place: its rows are keyed and versioned, the compacted latest topic ends with the same rows, and
     * history readers keep one record per key and version.
     */
    public String replay(PlatformJob job, Optional<String> fromSavepoint, Optional<String> outputTo)
            throws LocalPlatformException {
        JobLedger.Entry current = ledger.last(job)
                .orElseThrow(() -> new LocalPlatformException(job.id() + " has never run"));
        List<String> extra = new ArrayList<>();
        if (fromSavepoint.isEmpty()) {
            // A fresh group with no offsets: the sources start at the beginning of every input topic.
            extra.addAll(List.of("--from", "earliest", "--group-id", "factstream-" + job.id() + "-replay-"
                    + Instant.now().toEpochMilli()));
        }
        if (outputTo.isPresent()) {
            extra.addAll(List.of("--output-bootstrap-servers", outputTo.get(), "--transactional-id-prefix",
                    "factstream-replay-" + Instant.now().toEpochMilli()));
            String jarId = flink.rest().uploadJar(current.jar());
            String id = flink.rest().run(jarId, current.entryClass(), jobArgs(job, extra), Optional.empty(),
                    fromSavepoint);
            flink.rest().awaitRunning(id, settings.timeout());
            return id;
        }
        if (job != PlatformJob.VIEWS) {
            throw new LocalPlatformException("replaying " + job.id() + " in place would write its outputs a second "
                    + "time; replay it into another cluster with --output-bootstrap-servers");
        }
        Optional<String> running = runningJobId(job);
        if (running.isPresent()) {
            flink.rest().cancel(running.get(), settings.timeout());
        }
        return submit(job, current.jar(), current.entryClass(), Optional.of(current.parallelism()), fromSavepoint,
                "replayed", extra);
    }

    /** The Flink job id of the job, if the ledger's last step left it running and the cluster agrees. */
    public Optional<String> runningJobId(PlatformJob job) throws LocalPlatformException {
        Optional<JobLedger.Entry> last = ledger.last(job);
        if (last.isEmpty() || !last.get().leftRunning() || !flink.running()) {
            return Optional.empty();
        }
        String id = last.get().jobId();
        boolean active = flink.rest().jobs().stream().anyMatch(j -> j.id().equals(id) && !j.terminated());
        return active ? Optional.of(id) : Optional.empty();
    }

    /** The job's step history, oldest first. */
    public List<JobLedger.Entry> history(PlatformJob job) throws LocalPlatformException {
        return ledger.history(job);
    }

    private JobLedger.Entry requireRunning(PlatformJob job) throws LocalPlatformException {
        Optional<String> running = runningJobId(job);
        if (running.isEmpty()) {
            throw new LocalPlatformException(job.id() + " is not running; start the platform with up");
        }
        return ledger.last(job).orElseThrow();
    }

    private String stopWithSavepoint(PlatformJob job, String jobId, String action) throws LocalPlatformException {
        JobLedger.Entry current = ledger.last(job).orElseThrow();
        String path = flink.rest().stopWithSavepoint(jobId, flink.savepointDir(), settings.timeout());
        ledger.append(job, new JobLedger.Entry(Instant.now(), action, JobLedger.Entry.NONE, current.jar(),
                current.entryClass(), current.parallelism(), path));
        return path;
    }

    private String submit(PlatformJob job, Path jar, String entryClass, Optional<Integer> parallelism,
                          Optional<String> savepoint, String action, List<String> extraArgs)
            throws LocalPlatformException {
        Path absoluteJar = jar.toAbsolutePath().normalize();
        List<String> args = new ArrayList<>(jobArgs(job, extraArgs));
        parallelism.ifPresent(p -> args.addAll(List.of("--parallelism", p.toString())));
        String jarId = flink.rest().uploadJar(absoluteJar);
        String id = flink.rest().run(jarId, entryClass, args, parallelism, savepoint);
        flink.rest().awaitRunning(id, settings.timeout());
        int actual = flink.rest().parallelism(id).values().stream().mapToInt(Integer::intValue).max().orElse(1);
        ledger.append(job, new JobLedger.Entry(Instant.now(), action, id, absoluteJar, entryClass, actual,
                savepoint.orElse(JobLedger.Entry.NONE)));
        return id;
    }

    /** The {@code Main-Class} a job jar's manifest names, if any. */
    private static Optional<String> mainClass(Path jar) throws LocalPlatformException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            return Optional.ofNullable(manifest == null ? null
                    : manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS));
        } catch (IOException e) {
            throw new LocalPlatformException("cannot read the job jar " + jar + ": " + e.getMessage(), e);
        }
    }

    /** The job's arguments on this platform. */
    private List<String> jobArgs(PlatformJob job, List<String> extra) {
        List<String> args = new ArrayList<>(job.args());
        args.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers(),
                "--checkpoint-interval", settings.checkpointInterval().toString()));
        if (job == PlatformJob.SAGA) {
            String timeout = settings.sagaTimeout().toString();
            // Watermarks that keep up with a demo's pace: the saga's deadlines fire within seconds of being due.
            args.addAll(List.of("--kitchen-timeout", timeout, "--delivery-timeout", timeout,
                    "--max-out-of-orderness", "PT1.5S", "--idle-timeout", "PT1.5S", "--clock-interval", "PT0.3S"));
        }
        args.addAll(extra);
        return args;
    }
}
