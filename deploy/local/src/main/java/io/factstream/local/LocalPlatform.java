package io.factstream.local;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.common.TopicPartition;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.access.AccessCatalog;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.jobs.PlatformJob;
import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.kafka.park.Redrive;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.kafka.shadow.OutcomeComparison;
import io.factstream.kafka.topics.AclReport;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kafka.topics.TopicAdminException;
import io.factstream.kafka.topics.TopicReport;

/**
 * The whole platform on this machine: the broker, the Flink session cluster, the catalog topics and the six jobs,
 * and the runbooks that move jobs through savepoints ({@link #savepoint}, {@link #upgrade}, {@link #rollback},
 * {@link #replay}). Everything it knows lives in the data directory: the processes' pid files and logs, the
 * checkpoints and savepoints, and a {@link JobLedger} per job.
 *
 * <p>{@link #down} stops every job with a savepoint before it stops the processes, and {@link #up} resumes each job
 * from its last savepoint, at its last parallelism: the aggregates, sagas and views keep their state across a
 * restart of the platform. After a crash (processes killed, machine restarted) {@link #up} resumes each job from
 * its latest retained checkpoint.
 */
public final class LocalPlatform {

    /**
     * How the platform runs.
     *
     * @param kafkaSecurity      the broker's security if it is new (one that has run keeps its own)
     * @param checkpointInterval every job's checkpoint interval: how soon its outputs become visible
     * @param sagaTimeout        the saga's kitchen and delivery timeouts (short, so that a demo sees them fire)
     * @param gatewayPort        the gateway's HTTP port
     * @param gatewayClasspath   the gateway's runtime classpath file, next to its jar
     * @param stateToolsClasspath state-tools' runtime classpath file, next to its jar: {@code upgrade} plans with it
     */
    public record Settings(Path dataDir, int kafkaPort, int kafkaControllerPort, LocalKafka.Security kafkaSecurity,
                           LocalFlink.Settings flink,
                           Path flinkConf, Path flinkLib, Path jobsJar, int partitions, Duration checkpointInterval,
                           Duration sagaTimeout, int gatewayPort, Path gatewayClasspath, Path stateToolsClasspath,
                           Duration timeout) {

        /**
         * A platform of this build (the project at {@code root}) on ports that are free now, for tests and
         * benchmarks that run next to anything else: 2 partitions, a 1 GB JobManager, a TaskManager of
         * {@code taskManagerMemory}, 3 minutes to wait for any step.
         */
        public static Settings onFreePorts(Path root, Path dataDir, LocalKafka.Security kafkaSecurity,
                                           String taskManagerMemory, Duration checkpointInterval,
                                           Duration sagaTimeout) throws IOException {
            return new Settings(dataDir, LocalProcess.freePort(), LocalProcess.freePort(), kafkaSecurity,
                    new LocalFlink.Settings(LocalProcess.freePort(), LocalProcess.freePort(), "1024m",
                            taskManagerMemory), root.resolve("flink-conf"),
                    root.resolve("deploy/flink-lib/target/classpath.txt"),
                    root.resolve("deploy/local/target/jobs/factstream-jobs.jar"), 2, checkpointInterval,
                    sagaTimeout, LocalProcess.freePort(), root.resolve("gateway/target/classpath.txt"),
                    root.resolve("state-tools/target/classpath.txt"), Duration.ofMinutes(3));
        }
    }

    private static final String REPLAY = "-replay";
    private static final String SHADOW = "-shadow";

    private final Settings settings;
    private final LocalKafka kafka;
    private final LocalFlink flink;
    private final LocalGateway gateway;
    private final JobLedger ledger;
    private final UpgradePlanner planner;
    /** Jars this platform object uploaded, by path: six jobs from one jar upload it once. */
    private final Map<Path, String> uploadedJars = new HashMap<>();

    public LocalPlatform(Settings settings) {
        this.settings = settings;
        Path dataDir = settings.dataDir().toAbsolutePath().normalize();
        this.kafka = new LocalKafka(dataDir.resolve("kafka"), settings.kafkaPort(), settings.kafkaControllerPort(),
                settings.kafkaSecurity());
        this.flink = new LocalFlink(dataDir.resolve("flink"), settings.flinkConf(), settings.flinkLib(),
                settings.flink());
        this.gateway = new LocalGateway(dataDir.resolve("gateway"), settings.gatewayPort(),
                settings.gatewayClasspath());
        this.ledger = new JobLedger(dataDir.resolve("jobs"));
        this.planner = new UpgradePlanner(settings.stateToolsClasspath(), dataDir.resolve("jobs"));
    }

    public Settings settings() {
        return settings;
    }

    public LocalKafka kafka() {
        return kafka;
    }

    public LocalFlink flink() {
        return flink;
    }

    public LocalGateway gateway() {
        return gateway;
    }

    /**
     * Starts what does not run: the broker, the topics, the cluster, every job that is not running (resumed as
     * {@link #resumePoint} says), and the gateway. Returns a line per step.
     */
    public List<String> up() throws LocalPlatformException {
        List<String> steps = up(PlatformJob.all());
        steps.add("gateway " + gateway.start(kafka.bootstrapServers(), kafka.clientProperties(AccessCatalog.GATEWAY),
                settings.timeout()));
        return steps;
    }

    /** Starts the broker, the topics, the cluster and those of the jobs that do not run. */
    public List<String> up(Collection<PlatformJob> jobs) throws LocalPlatformException {
        List<String> steps = new ArrayList<>();
        steps.add("kafka " + kafka.start(settings.timeout()));
        steps.add("topics: " + ensureTopics(kafka.connection(AccessCatalog.ADMIN)));
        kafka.clientProperties(AccessCatalog.ADMIN).ifPresent(admin -> steps.add("clients: the principals' "
                + "Kafka client properties are in " + admin.getParent() + "; the administrator's: "
                + "--kafka-properties " + admin));
        if (!flink.running()) {
            uploadedJars.clear(); // a cluster that starts anew holds no jars
        }
        steps.add("flink " + flink.start(settings.timeout()));
        for (PlatformJob job : jobs) {
            List<String> instances = instances(job);
            if (instances.size() > 1) {
                steps.add(job.id() + " runs as " + instances.size() + " instances " + instances
                        + "; none started: cancel all but one with Flink (the one whose state is newest)");
                continue;
            }
            Optional<String> running = runningJobId(job.id());
            if (running.isPresent()) {
                steps.add(job.id() + " runs as " + running.get() + adopt(job, running.get()));
                continue;
            }
            Optional<JobLedger.Entry> last = ledger.last(job.id());
            Path jar = last.map(JobLedger.Entry::jar).orElse(settings.jobsJar());
            String entryClass = last.map(JobLedger.Entry::entryClass).orElse(job.entryClass());
            Optional<String> resumeFrom = resumePoint(last);
            String id = submit(job.id(), job, jar, entryClass, last.map(JobLedger.Entry::parallelism), resumeFrom,
                    "started", List.of());
            steps.add(job.id() + " started as " + id + resumeFrom.map(s -> " from " + s).orElse(""));
        }
        return steps;
    }

    /**
     * Stops the gateway, then every running job (and replay) with a savepoint, recorded for the next {@link #up},
     * then the cluster and the broker, whatever happened to the jobs: nothing of the platform runs afterwards. A job
     * that cannot take a savepoint (restarting, say) is cancelled and resumes from its latest retained checkpoint.
     */
    public List<String> down() throws LocalPlatformException {
        List<String> steps = new ArrayList<>();
        try {
            steps.add("gateway " + gateway.stop(settings.timeout()));
            if (flink.running()) {
                for (PlatformJob job : PlatformJob.all()) {
                    Optional<String> replay = runningJobId(job.id() + REPLAY);
                    if (replay.isPresent()) {
                        steps.add(stopForDown(job.id() + REPLAY, replay.get()));
                    }
                    Optional<String> running = runningJobId(job.id());
                    if (running.isPresent()) {
                        steps.add(job.id() + " runs as " + running.get() + adopt(job, running.get()));
                        // Any further instance stops too, with a savepoint the ledger does not follow: the next up
                        // resumes the instance the ledger knows.
                        for (String other : instances(job)) {
                            if (!other.equals(running.get())) {
                                steps.add(job.id() + "'s other instance " + other + " stopped with savepoint "
                                        + flink.rest().stopWithSavepoint(other, flink.savepointDir(),
                                        settings.timeout()) + ", which the ledger does not follow");
                            }
                        }
                        steps.add(stopForDown(job.id(), running.get()));
                    }
                }
            }
        } finally {
            try {
                steps.add("flink " + flink.stop(settings.timeout()));
            } finally {
                steps.add("kafka " + kafka.stop(settings.timeout()));
            }
        }
        return steps;
    }

    /**
     * A line for each process, each job and each replay, one for each job on the cluster that the ledger does not
     * know (an instance started with Flink's CLI, say), and one for each aggregate, saga and view row in quarantine.
     */
    public List<String> status() throws LocalPlatformException {
        List<String> lines = new ArrayList<>();
        LocalKafka.Status broker = kafka.status();
        lines.add("kafka " + broker);
        lines.add("flink " + flink.status());
        Set<String> known = new HashSet<>();
        for (PlatformJob job : PlatformJob.all()) {
            lines.add(String.format("%-9s %s", job.id(), describe(job.id()).orElse("never started")));
            describe(job.id() + REPLAY).ifPresent(replay -> lines.add(String.format("  replay  %s", replay)));
            for (String name : List.of(job.id(), job.id() + REPLAY)) {
                ledger.last(name).filter(JobLedger.Entry::leftRunning).ifPresent(e -> known.add(e.jobId()));
            }
        }
        if (flink.running()) {
            flink.rest().activeJobs().forEach((id, name) -> {
                if (!known.contains(id)) {
                    lines.add("on the cluster, not in the ledger: " + id + " " + name);
                }
            });
        }
        if (broker.state() == LocalKafka.State.RUNNING) {
            Redrive redrive = new Redrive(kafka.connection(AccessCatalog.ADMIN), settings.timeout());
            for (BoundedContext context : BoundedContext.values()) {
                redrive.parked(context).forEach(parked -> lines.add("parked in " + context.id() + ": " + parked
                        + "; redrive " + context.id() + " --key " + parked.aggregateId() + " once a fixed version runs"));
            }
            for (PlatformJob job : List.of(PlatformJob.byId("saga"), PlatformJob.byId("views"))) {
                redrive.parkedKeys(job.parkedTopic()).forEach(parked -> lines.add("parked in " + job.id() + ": " + parked
                        + "; redrive " + job.id() + " --key " + parked.key() + " once a fixed version runs"));
            }
        }
        lines.add("gateway " + gateway.status());
        lines.add("logs: " + flink.logDir() + ", " + kafka.outputFile() + ", " + gateway.outputFile());
        return lines;
    }

    /** Takes a savepoint of the running job; it keeps running. */
    public String savepoint(PlatformJob job) throws LocalPlatformException {
        JobLedger.Entry current = requireRunning(job);
        String path = flink.rest().savepoint(current.jobId(), flink.savepointDir(), settings.timeout());
        ledger.append(job.id(), new JobLedger.Entry(Instant.now(), "savepoint", current.jobId(), current.jar(),
                current.entryClass(), current.parallelism(), path));
        return path;
    }

    /**
     * Judges an upgrade of the running job to {@code jar} before anything stops: takes a savepoint (the job keeps
     * running) and runs {@code state-tools plan-upgrade} on it against the jar, with the job's arguments and the
     * parallelism it would run at. The jar's entry class is its manifest's {@code Main-Class} if it names one, else
     * the job's usual one.
     */
    public UpgradePlanner.Plan planUpgrade(PlatformJob job, Path jar, Optional<Integer> parallelism)
            throws LocalPlatformException {
        JobLedger.Entry current = requireRunning(job);
        String savepoint = savepoint(job);
        int runAt = parallelism.orElse(current.parallelism());
        List<String> args = new ArrayList<>(jobArgs(job, List.of()));
        args.addAll(List.of("--parallelism", Integer.toString(runAt)));
        return planner.plan(Path.of(URI.create(savepoint)), jar, mainClass(jar).orElse(job.entryClass()), runAt, args,
                settings.timeout());
    }

    /**
     * Upgrades the job to {@code jar} when {@link #planUpgrade} finds it safe (or {@code force}): stops the job with
     * a savepoint and starts the jar from it, with another parallelism if given (up to the max parallelism, 128).
     * Refused, the job runs on untouched; a migration the plan names runs first ({@code state-tools migrate}).
     *
     * @param plan receives the plan's lines
     */
    public String upgrade(PlatformJob job, Path jar, Optional<Integer> parallelism, boolean force,
                          Consumer<String> plan) throws LocalPlatformException {
        UpgradePlanner.Plan judged = planUpgrade(job, jar, parallelism);
        judged.lines().forEach(plan);
        if (!judged.safe() && !force) {
            throw new LocalPlatformException(job.id() + " not upgraded, it runs on: plan-upgrade exited "
                    + judged.exitCode() + " (" + judged.verdict() + "); --force upgrades anyway");
        }
        JobLedger.Entry current = requireRunning(job);
        String entryClass = mainClass(jar).orElse(job.entryClass());
        String savepoint = stopWithSavepoint(job.id(), current.jobId(), "stopped for upgrade");
        return submit(job.id(), job, jar, entryClass, parallelism.or(() -> Optional.of(current.parallelism())),
                Optional.of(savepoint), "upgraded", List.of());
    }

    /**
     * Goes back to the jar that ran before the last upgrade still in force (each rollback undoes one upgrade):
     * stops the job with a savepoint and starts the earlier jar from it. The state moves forward, not back:
     * nothing the job did since the upgrade is undone or done twice, which is why this needs the earlier version
     * to read the newer state (true for Avro fields added with a default; the older reader skips them).
     */
    public String rollback(PlatformJob job) throws LocalPlatformException {
        JobLedger.Entry current = requireRunning(job);
        Deque<JobLedger.Entry> versions = new ArrayDeque<>();
        for (JobLedger.Entry entry : ledger.history(job.id())) {
            switch (entry.action()) {
                case "upgraded" -> versions.push(entry);
                case "rolled-back" -> versions.pop();
                case "started" -> {
                    if (versions.isEmpty()) {
                        versions.push(entry);
                    }
                }
                default -> { }
            }
        }
        if (versions.size() < 2) {
            throw new LocalPlatformException(job.id() + " runs the jar it was first started with; there is no "
                    + "upgrade to roll back");
        }
        versions.pop();
        JobLedger.Entry previous = versions.peek();
        String savepoint = stopWithSavepoint(job.id(), current.jobId(), "stopped for rollback");
        return submit(job.id(), job, previous.jar(), previous.entryClass(), Optional.of(current.parallelism()),
                Optional.of(savepoint), "rolled-back", List.of());
    }

    /**
     * Runs the job again over its input, from an older savepoint or from the beginning with empty state, with a
     * consumer group of its own.
     *
     * <p>Exactly-once covers failures, not a deliberate rewind: the replay decides again what the job decided
     * then, and since the jobs are deterministic it writes the same records again. So that no one downstream sees
     * them twice, a replay of an aggregate or of the saga writes to another Kafka cluster ({@code outputTo}, its
     * catalog topics created first) with transactional ids of its own, next to the live job, which keeps running;
     * readers move over once it has caught up. It is recorded as {@code <job>-replay}: {@link #status} shows it
     * and {@link #down} stops it with a savepoint. Only the views job is replayed in place: its rows are keyed and
     * versioned, the compacted latest topics end with the same rows, and history readers keep one record per key
     * and version.
     */
    public String replay(PlatformJob job, Optional<String> fromSavepoint, Optional<String> outputTo)
            throws LocalPlatformException {
        JobLedger.Entry current = ledger.last(job.id())
                .orElseThrow(() -> new LocalPlatformException(job.id() + " has never run"));
        if (outputTo.isEmpty() && job.kind() != PlatformJob.Kind.VIEWS) {
            throw new LocalPlatformException("replaying " + job.id() + " in place would write its outputs a second "
                    + "time; replay it into another cluster with --output-bootstrap-servers");
        }
        long now = Instant.now().toEpochMilli();
        List<String> extra = new ArrayList<>(List.of("--group-id", "factstream-" + job.name() + "-replay-" + now));
        if (fromSavepoint.isEmpty()) {
            extra.addAll(List.of("--from", "earliest"));
        }
        if (outputTo.isPresent()) {
            ensureTopics(KafkaConnection.to(outputTo.get()));
            extra.addAll(List.of("--output-bootstrap-servers", outputTo.get(), "--transactional-id-prefix",
                    "factstream-replay-" + now));
            return submit(job.id() + REPLAY, job, current.jar(), current.entryClass(),
                    Optional.of(current.parallelism()), fromSavepoint, "replayed", extra);
        }
        Optional<String> running = runningJobId(job.id());
        if (running.isPresent()) {
            flink.rest().cancel(running.get(), settings.timeout());
        }
        extra.add("--take-over-writes"); // from an earlier state than the job it replaces got to, on purpose
        return submit(job.id(), job, current.jar(), current.entryClass(), Optional.of(current.parallelism()),
                fromSavepoint, "replayed", extra);
    }

    /**
     * Shows what a new version of an aggregate job would decide differently, before it decides anything: runs
     * {@code jar} from the beginning with empty state over every command the context has so far, next to the live
     * job and into another Kafka cluster ({@code into}, or a broker of its own started for the run and removed
     * after), then compares aggregate by aggregate what both decided for those commands. It is recorded as
     * {@code <job>-shadow}; the live job is not touched.
     */
    public OutcomeComparison.Report shadow(PlatformJob job, Path jar, Optional<String> into)
            throws LocalPlatformException {
        if (job.kind() != PlatformJob.Kind.AGGREGATE) {
            throw new LocalPlatformException("shadow compares the decisions of an aggregate job; " + job.id()
                    + " is not one");
        }
        int parallelism = requireRunning(job).parallelism();
        if (into.isPresent()) {
            return shadow(job, jar, parallelism, KafkaConnection.to(into.get()), List.of());
        }
        Path dir = settings.dataDir().resolve("shadow-kafka");
        LocalKafka other;
        Path plaintext = dir.resolve("plaintext.properties");
        try {
            deleteTree(dir); // a broker of its own: nothing of an earlier shadow may be compared
            // Plaintext: a broker for this run alone, on localhost, removed after it.
            other = LocalKafka.onFreePorts(dir, LocalKafka.Security.PLAINTEXT);
            Files.createDirectories(dir);
            Files.writeString(plaintext, "security.protocol=PLAINTEXT\n");
        } catch (IOException e) {
            throw new LocalPlatformException("cannot prepare a broker for the shadow: " + e.getMessage(), e);
        }
        other.start(settings.timeout());
        try {
            return shadow(job, jar, parallelism, other.connection(AccessCatalog.ADMIN),
                    List.of("--output-kafka-properties", plaintext.toString()));
        } finally {
            other.stop(settings.timeout());
        }
    }

    private OutcomeComparison.Report shadow(PlatformJob job, Path jar, int parallelism, KafkaConnection into,
                                            List<String> intoArgs) throws LocalPlatformException {
        BoundedContext context = BoundedContext.byId(job.id());
        CommittedReader live = new CommittedReader(kafka.connection(AccessCatalog.ADMIN), settings.timeout());
        Map<TopicPartition, Long> ends = live.endOffsets(List.of(context.commandsTopic()));
        ensureTopics(into);
        long now = Instant.now().toEpochMilli();
        String until = ends.entrySet().stream().map(end -> end.getKey().topic() + ":" + end.getKey().partition()
                + "=" + end.getValue()).collect(Collectors.joining(","));
        List<String> args = new ArrayList<>(jobArgs(job, List.of("--group-id", "factstream-" + job.name() + SHADOW
                + "-" + now, "--from", "earliest", "--until", until, "--output-bootstrap-servers",
                into.bootstrapServers(),
                "--transactional-id-prefix", "factstream-shadow-" + now, "--parallelism",
                Integer.toString(parallelism))));
        args.addAll(intoArgs);
        Path absoluteJar = jar.toAbsolutePath().normalize();
        String entryClass = mainClass(jar).orElse(job.entryClass());
        String id = flink.rest().run(upload(absoluteJar), entryClass, args, Optional.of(parallelism),
                Optional.empty());
        ledger.append(job.id() + SHADOW, new JobLedger.Entry(Instant.now(), "shadowed", id, absoluteJar, entryClass,
                parallelism, JobLedger.Entry.NONE));
        flink.rest().awaitFinished(id, settings.timeout()); // bounded: it ends where the commands ended
        CommittedReader shadow = new CommittedReader(into, settings.timeout());
        Instant deadline = Instant.now().plus(settings.timeout());
        while (true) { // the live job may still be deciding the last commands of the range
            OutcomeComparison.Report report = OutcomeComparison.compare(context, ends, live, shadow);
            if (report.liveUnanswered() == 0 || Instant.now().isAfter(deadline)) {
                return report;
            }
            LocalProcess.pause("the live job's outcomes");
        }
    }

    /** The Flink job id of the job, if the ledger's last step left it running and the cluster agrees. */
    public Optional<String> runningJobId(PlatformJob job) throws LocalPlatformException {
        return runningJobId(job.id());
    }

    /** The job's step history, oldest first. */
    public List<JobLedger.Entry> history(PlatformJob job) throws LocalPlatformException {
        return ledger.history(job.id());
    }

    /**
     * The Flink job id of the job or replay of this ledger name as it really runs: the one the ledger's last step
     * left running if the cluster still runs it; otherwise, for a job, the instance of it that the cluster runs under
     * another id (started or upgraded with Flink's own CLI or REST API), recognised by its
     * {@linkplain PlatformJob#flinkJobName name}; the oldest, if there are several.
     */
    private Optional<String> runningJobId(String name) throws LocalPlatformException {
        if (!flink.running()) {
            return Optional.empty();
        }
        Optional<JobLedger.Entry> last = ledger.last(name);
        Map<String, String> active = flink.rest().activeJobs();
        if (last.isPresent() && last.get().leftRunning() && active.containsKey(last.get().jobId())) {
            return Optional.of(last.get().jobId());
        }
        if (name.endsWith(REPLAY)) {
            return Optional.empty();
        }
        String jobName = PlatformJob.byId(name).flinkJobName();
        return active.entrySet().stream().filter(job -> job.getValue().equals(jobName)).map(Map.Entry::getKey)
                .findFirst();
    }

    /** The ids of every instance of the job the cluster runs, oldest first. */
    private List<String> instances(PlatformJob job) throws LocalPlatformException {
        if (!flink.running()) {
            return List.of();
        }
        return flink.rest().activeJobs().entrySet().stream()
                .filter(active -> active.getValue().equals(job.flinkJobName())).map(Map.Entry::getKey).toList();
    }

    /**
     * Records in the ledger that the job runs as {@code jobId} when the ledger's last step says otherwise, so that
     * every later step acts on it; the jar and entry class are the last ones the ledger knows, as REST does not tell.
     * Returns what was done, for the step's line.
     */
    private String adopt(PlatformJob job, String jobId) throws LocalPlatformException {
        Optional<JobLedger.Entry> last = ledger.last(job.id());
        if (last.isPresent() && last.get().jobId().equals(jobId)) {
            return "";
        }
        int parallelism = flink.rest().parallelism(jobId).values().stream().mapToInt(Integer::intValue).max()
                .orElse(1);
        ledger.append(job.id(), new JobLedger.Entry(Instant.now(), "adopted", jobId,
                last.map(JobLedger.Entry::jar).orElse(settings.jobsJar().toAbsolutePath().normalize()),
                last.map(JobLedger.Entry::entryClass).orElse(job.entryClass()), parallelism, JobLedger.Entry.NONE));
        return " (adopted: started outside the launcher, now in the ledger at p=" + parallelism + ")";
    }

    private Optional<String> describe(String name) throws LocalPlatformException {
        Optional<JobLedger.Entry> last = ledger.last(name);
        if (last.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> running = runningJobId(name);
        String outside = running.isPresent() && !running.get().equals(last.get().jobId())
                ? " (started outside the launcher: up adopts it)" : "";
        int instances = name.endsWith(REPLAY) ? 0 : instances(PlatformJob.byId(name)).size();
        String more = instances > 1 ? ", " + instances + " INSTANCES RUN" : "";
        return Optional.of(running.map(id -> "runs as " + id + outside + more).orElse("not running") + ", last step "
                + last.get().action() + " at " + last.get().at() + " (" + last.get().jar().getFileName() + ", p="
                + last.get().parallelism() + last.get().savepointPath().map(s -> ", " + s).orElse("") + ")");
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

    private String stopForDown(String name, String jobId) throws LocalPlatformException {
        try {
            return name + " stopped with savepoint " + stopWithSavepoint(name, jobId, "stopped");
        } catch (LocalPlatformException noSavepoint) {
            String ended;
            try {
                flink.rest().cancel(jobId, settings.timeout());
                ended = "cancelled";
            } catch (LocalPlatformException notCancelled) {
                ended = "left to end with the cluster"; // stopping the processes ends it all the same
            }
            // The ledger still names the job as running: the next up resumes it from its latest checkpoint.
            return name + " " + ended + " without a savepoint (" + noSavepoint.getMessage() + "); it resumes from "
                    + flink.latestRetainedCheckpoint(jobId).map(Path::toString).orElse("where it started");
        }
    }

    /** The ledger's entry for the running job, after adopting the instance that really runs. */
    private JobLedger.Entry requireRunning(PlatformJob job) throws LocalPlatformException {
        List<String> instances = instances(job);
        if (instances.size() > 1) {
            throw new LocalPlatformException(job.id() + " runs as " + instances.size() + " instances " + instances
                    + "; cancel all but one with Flink first");
        }
        Optional<String> running = runningJobId(job.id());
        if (running.isEmpty()) {
            throw new LocalPlatformException(job.id() + " is not running; start the platform with up");
        }
        adopt(job, running.get());
        return ledger.last(job.id()).orElseThrow();
    }

    private String stopWithSavepoint(String name, String jobId, String action) throws LocalPlatformException {
        JobLedger.Entry current = ledger.last(name).orElseThrow();
        String path = flink.rest().stopWithSavepoint(jobId, flink.savepointDir(), settings.timeout());
        ledger.append(name, new JobLedger.Entry(Instant.now(), action, JobLedger.Entry.NONE, current.jar(),
                current.entryClass(), current.parallelism(), path));
        return path;
    }

    /**
     * Uploads the jar, runs it and waits until the job runs, then records the step; a job that does not come up
     * (its state does not restore, say) is cancelled, so that nothing runs that the ledger does not know.
     */
    private String submit(String name, PlatformJob job, Path jar, String entryClass, Optional<Integer> parallelism,
                          Optional<String> savepoint, String action, List<String> extraArgs)
            throws LocalPlatformException {
        Path absoluteJar = jar.toAbsolutePath().normalize();
        List<String> args = new ArrayList<>(jobArgs(job, extraArgs));
        parallelism.ifPresent(p -> args.addAll(List.of("--parallelism", p.toString())));
        String id = flink.rest().run(upload(absoluteJar), entryClass, args, parallelism, savepoint);
        try {
            flink.rest().awaitRunning(id, settings.timeout());
        } catch (LocalPlatformException notRunning) {
            try {
                flink.rest().cancel(id, settings.timeout());
            } catch (LocalPlatformException alreadyEnded) {
                notRunning.addSuppressed(alreadyEnded);
            }
            throw notRunning;
        }
        int actual = flink.rest().parallelism(id).values().stream().mapToInt(Integer::intValue).max().orElse(1);
        ledger.append(name, new JobLedger.Entry(Instant.now(), action, id, absoluteJar, entryClass, actual,
                savepoint.orElse(JobLedger.Entry.NONE)));
        return id;
    }

    private String upload(Path jar) throws LocalPlatformException {
        String jarId = uploadedJars.get(jar);
        if (jarId == null) {
            jarId = flink.rest().uploadJar(jar);
            uploadedJars.put(jar, jarId);
        }
        return jarId;
    }

    /** Creates the catalog's missing topics and grants the access catalog's missing ACLs. */
    private String ensureTopics(KafkaConnection cluster) throws LocalPlatformException {
        try (TopicAdmin admin = TopicAdmin.connect(cluster, settings.timeout())) {
            TopicReport report = admin.ensure(TopicCatalog.sized(settings.partitions(), (short) 1));
            AclReport acls = admin.ensure(AccessCatalog.standard());
            return report.created().size() + " created, " + report.unchanged().size() + " in place"
                    + (report.drifted().isEmpty() ? "" : ", differing from the catalog: " + report.drifted())
                    + (acls.authorizer() ? "; ACLs: " + acls.created().size() + " granted, " + acls.unchanged()
                    + " in place" + (acls.beyond().isEmpty() ? "" : ", beyond the catalog: " + acls.beyond()) : "");
        } catch (TopicAdminException e) {
            throw new LocalPlatformException("cannot create the topics on " + cluster.bootstrapServers() + ": "
                    + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
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
    List<String> jobArgs(PlatformJob job, List<String> extra) {
        List<String> args = new ArrayList<>(job.args());
        args.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers(),
                "--checkpoint-interval", settings.checkpointInterval().toString()));
        // Each job runs as its own principal of the access catalog.
        kafka.clientProperties(job.name()).ifPresent(file -> args.addAll(List.of("--kafka-properties",
                file.toString())));
        if (job.kind() == PlatformJob.Kind.SAGA) {
            String timeout = settings.sagaTimeout().toString();
            // Watermarks that keep up with a demo's pace: the saga's deadlines fire within seconds of being due.
            args.addAll(List.of("--kitchen-timeout", timeout, "--delivery-timeout", timeout,
                    "--max-out-of-orderness", "PT1.5S", "--idle-timeout", "PT1.5S", "--clock-interval", "PT0.3S"));
        }
        args.addAll(extra);
        return args;
    }
}
