package io.factstream.local;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.access.AccessCatalog;
import io.factstream.jobs.PlatformJob;
import io.factstream.kafka.audit.PlatformAudit;
import io.factstream.kafka.clients.KafkaClientProperties;
import io.factstream.kafka.park.Redrive;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.kafka.shadow.OutcomeComparison;
import io.factstream.testdata.PlatformSummary;
import io.factstream.testdata.World;
import io.factstream.testdata.WorldLog;
import io.factstream.testdata.WorldPlay;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** The platform's subcommands of {@code deploy/local/factstream}: the platform, its runbooks, chaos and audit. */
final class PlatformCommands {

    private PlatformCommands() {
    }

    /** Where the platform lives and how it runs; every subcommand takes the same options. */
    static final class PlatformOptions {
        @Option(names = "--data-dir", defaultValue = ".local-platform",
                description = "Everything the platform keeps: data, logs, savepoints, job ledgers (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--kafka-port", defaultValue = "9092", description = "Broker port (default: ${DEFAULT-VALUE}).")
        int kafkaPort;

        @Option(names = "--kafka-controller-port", defaultValue = "9093",
                description = "KRaft controller port (default: ${DEFAULT-VALUE}).")
        int kafkaControllerPort;

        @Option(names = "--rest-port", defaultValue = "8081",
                description = "Flink REST API and web UI port (default: ${DEFAULT-VALUE}).")
        int restPort;

        @Option(names = "--rpc-port", defaultValue = "6123",
                description = "Flink JobManager RPC port (default: ${DEFAULT-VALUE}).")
        int rpcPort;

        @Option(names = "--jobmanager-memory", defaultValue = "1536m",
                description = "JobManager process size (default: ${DEFAULT-VALUE}).")
        String jobManagerMemory;

        @Option(names = "--taskmanager-memory", defaultValue = "3072m",
                description = "TaskManager process size (default: ${DEFAULT-VALUE}).")
        String taskManagerMemory;

        @Option(names = "--flink-conf", defaultValue = "flink-conf",
                description = "The Flink configuration directory (default: ${DEFAULT-VALUE}).")
        Path flinkConf;

        @Option(names = "--flink-lib", defaultValue = "deploy/flink-lib/target/classpath.txt",
                description = "The Flink cluster's classpath, as Maven resolved it (default: ${DEFAULT-VALUE}).")
        Path flinkLib;

        @Option(names = "--jobs-jar", defaultValue = "deploy/local/target/jobs/factstream-jobs.jar",
                description = "The job jar submitted at the first start (default: ${DEFAULT-VALUE}).")
        Path jobsJar;

        @Option(names = "--partitions", defaultValue = "2",
                description = "Partitions of every topic (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--checkpoint-interval", defaultValue = "PT1S",
                description = "Every job's checkpoint interval, how soon outputs are visible (default: ${DEFAULT-VALUE}).")
        Duration checkpointInterval;

        @Option(names = "--saga-timeout", defaultValue = "PT30S",
                description = "The saga's kitchen and delivery timeouts (default: ${DEFAULT-VALUE}).")
        Duration sagaTimeout;

        @Option(names = "--gateway-port", defaultValue = "8080",
                description = "The gateway's HTTP port: API and web page (default: ${DEFAULT-VALUE}).")
        int gatewayPort;

        @Option(names = "--gateway-classpath", defaultValue = "gateway/target/classpath.txt",
                description = "The gateway's classpath, as Maven resolved it, next to its jar (default: ${DEFAULT-VALUE}).")
        Path gatewayClasspath;

        @Option(names = "--state-tools-classpath", defaultValue = "state-tools/target/classpath.txt",
                description = "state-tools' classpath, as Maven resolved it, next to its jar: upgrade plans with it "
                        + "(default: ${DEFAULT-VALUE}).")
        Path stateToolsClasspath;

        @Option(names = "--timeout", defaultValue = "PT3M",
                description = "How long to wait for a process, a job or a savepoint (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Option(names = "--plaintext",
                description = LocalCommand.PLAINTEXT_HELP)
        boolean plaintext;

        /**
         * The platform. The command's own Kafka clients (the world's feeder, readers, redrives) reach a secured
         * broker as its administrator unless {@code --kafka-properties} or the environment names other properties.
         */
        LocalPlatform platform() {
            LocalPlatform platform = new LocalPlatform(new LocalPlatform.Settings(dataDir, kafkaPort,
                    kafkaControllerPort, plaintext ? LocalKafka.Security.PLAINTEXT : LocalKafka.Security.SASL_SSL,
                    new LocalFlink.Settings(restPort, rpcPort, jobManagerMemory, taskManagerMemory), flinkConf,
                    flinkLib, jobsJar, partitions, checkpointInterval, sagaTimeout, gatewayPort, gatewayClasspath,
                    stateToolsClasspath, timeout));
            if (KafkaClientProperties.file().isEmpty()) {
                platform.kafka().clientProperties(AccessCatalog.ADMIN).ifPresent(KafkaClientProperties::use);
            }
            return platform;
        }
    }

    /** A subcommand on the platform, printing its lines to standard output. */
    abstract static class PlatformCommand implements Callable<Integer> {
        @Mixin
        PlatformOptions options;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        void print(List<String> lines) {
            lines.forEach(out()::println);
            out().flush();
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Starts the broker, the topics, the Flink cluster and every job (from its last savepoint).")
    static final class Up extends PlatformCommand {
        @Override
        public Integer call() throws LocalPlatformException {
            LocalPlatform platform = options.platform();
            print(platform.up());
            out().println("Flink web UI: " + platform.flink().restAddress());
            out().println("gateway: " + platform.gateway().url() + " (" + platform.gateway().howToLogIn() + ")");
            return 0;
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Brings the platform up, plays the sample world (its commands in real time), waits until "
                    + "every saga has finished, prints the summary and the views; the platform keeps running.")
    static final class Demo extends PlatformCommand {
        @Option(names = "--log", defaultValue = "test-data/logs/sample-1000.avro",
                description = "The world log to play (default: ${DEFAULT-VALUE}).")
        Path log;

        @Option(names = "--play-timeout", defaultValue = "PT15M",
                description = "How long to wait for every saga to finish (default: ${DEFAULT-VALUE}).")
        Duration playTimeout;

        @Override
        public Integer call() throws Exception {
            LocalPlatform platform = options.platform();
            World world = WorldLog.read(log);
            print(platform.up());
            String servers = platform.kafka().bootstrapServers();
            if (PlatformSummary.read(servers).outcomes().size() > 0) {
                throw new LocalPlatformException("the platform has played a world already; "
                        + "'down --purge' starts over");
            }
            boolean ok = WorldPlay.play(world, servers, Duration.ofSeconds(60), playTimeout, out());
            out().println("the platform keeps running: gateway " + platform.gateway().url() + ", Flink web UI "
                    + platform.flink().restAddress() + ", Kafka " + servers + "; 'deploy/local/factstream down' stops it");
            out().println(platform.gateway().howToLogIn());
            return ok ? 0 : 1;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stops every job with a savepoint, then the Flink cluster and the broker.")
    static final class Down extends PlatformCommand {
        @Option(names = "--purge", description = "Also delete the data directory: topics, state, savepoints, logs.")
        boolean purge;

        @Override
        public Integer call() throws Exception {
            print(options.platform().down());
            if (purge && Files.exists(options.dataDir)) {
                try (var paths = Files.walk(options.dataDir)) {
                    for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                        Files.delete(path);
                    }
                }
                out().println("deleted " + options.dataDir.toAbsolutePath());
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Reports the processes, the jobs and where the logs are.")
    static final class Status extends PlatformCommand {
        @Override
        public Integer call() throws LocalPlatformException {
            print(options.platform().status());
            return 0;
        }
    }

    @Command(name = "flink", mixinStandardHelpOptions = true,
            description = "Starts, stops or reports the Flink session cluster alone.",
            subcommands = {FlinkStart.class, FlinkStop.class})
    static final class Flink {
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts the JobManager and TaskManager.")
    static final class FlinkStart extends PlatformCommand {
        @Override
        public Integer call() throws LocalPlatformException {
            out().println("flink " + options.platform().flink().start(options.timeout));
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stops the TaskManager and the JobManager (jobs end with them; 'down' saves them first).")
    static final class FlinkStop extends PlatformCommand {
        @Override
        public Integer call() throws LocalPlatformException {
            out().println("flink " + options.platform().flink().stop(options.timeout));
            return 0;
        }
    }

    @Command(name = "savepoint", mixinStandardHelpOptions = true,
            description = "Takes a savepoint of a running job; it keeps running.")
    static final class Savepoint extends PlatformCommand {
        @Parameters(index = "0", description = "orders, payments, kitchen, delivery, saga or views.",
                converter = JobConverter.class)
        PlatformJob job;

        @Override
        public Integer call() throws LocalPlatformException {
            out().println(job.id() + " savepoint " + options.platform().savepoint(job));
            return 0;
        }
    }

    @Command(name = "upgrade", mixinStandardHelpOptions = true,
            description = {"Judges the upgrade first (state-tools plan-upgrade on a fresh savepoint; the job keeps "
                    + "running), then stops the job with a savepoint and starts the new jar from it, optionally at "
                    + "another parallelism.", "Refuses an upgrade the plan finds unsafe (a migration needed, state "
                    + "the new jar cannot restore) unless --force."})
    static final class Upgrade extends PlatformCommand {
        @Parameters(index = "0", description = "The job.", converter = JobConverter.class)
        PlatformJob job;

        @Parameters(index = "1", description = "The new job jar.")
        Path jar;

        @Option(names = "--parallelism", description = "The new parallelism (default: the current one).")
        Integer parallelism;

        @Option(names = "--dry-run", description = "Only judge the upgrade (state-tools plan-upgrade on a fresh "
                + "savepoint) and exit with its code: 0 safe, 1 a migration first, 2 it cannot restore.")
        boolean dryRun;

        @Option(names = "--force", description = "Upgrade even when the plan finds it unsafe.")
        boolean force;

        @Override
        public Integer call() throws LocalPlatformException {
            if (dryRun) {
                UpgradePlanner.Plan plan = options.platform().planUpgrade(job, jar, Optional.ofNullable(parallelism));
                plan.lines().forEach(out()::println);
                return plan.exitCode();
            }
            String id = options.platform().upgrade(job, jar, Optional.ofNullable(parallelism), force, out()::println);
            out().println(job.id() + " upgraded to " + jar + ", runs as " + id);
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Stops a job with a savepoint and starts the jar that ran before the current one from it.")
    static final class Rollback extends PlatformCommand {
        @Parameters(index = "0", description = "The job.", converter = JobConverter.class)
        PlatformJob job;

        @Override
        public Integer call() throws LocalPlatformException {
            String id = options.platform().rollback(job);
            out().println(job.id() + " rolled back, runs as " + id);
            return 0;
        }
    }

    @Command(name = "shadow", mixinStandardHelpOptions = true,
            description = {"Shows what a new version of an aggregate job would decide differently, before it "
                    + "decides anything: runs the new jar over every command so far, from the beginning, into "
                    + "another Kafka next to the live job, and compares what both decided, aggregate by aggregate.",
                    "Exit code: 0 the same decisions, 1 some aggregates decided differently (each printed with the "
                            + "command and both outcomes)."})
    static final class Shadow extends PlatformCommand {
        @Parameters(index = "0", description = "The aggregate job.", converter = JobConverter.class)
        PlatformJob job;

        @Parameters(index = "1", description = "The new job jar.")
        Path jar;

        @Option(names = "--output-bootstrap-servers", description = "The Kafka the new version writes to (default: a "
                + "broker of its own, started for the run and removed after).")
        String into;

        @Override
        public Integer call() throws LocalPlatformException {
            OutcomeComparison.Report report = options.platform().shadow(job, jar, Optional.ofNullable(into));
            print(report.lines());
            return report.divergences().isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Runs a job again from an older savepoint or from the beginning of its input.",
                    "Aggregates and the saga replay into another Kafka (--output-bootstrap-servers) next to the live "
                            + "job, so nothing is written twice; the views job replays in place."})
    static final class Replay extends PlatformCommand {
        @Parameters(index = "0", description = "The job.", converter = JobConverter.class)
        PlatformJob job;

        @ArgGroup(multiplicity = "1")
        From from;

        @Option(names = "--output-bootstrap-servers", description = "Kafka the replay writes to.")
        String outputTo;

        static final class From {
            @Option(names = "--from-savepoint", required = true, description = "The savepoint to start from.")
            String savepoint;

            @Option(names = "--from-beginning", required = true,
                    description = "Start with empty state from the earliest offsets.")
            boolean beginning;
        }

        @Override
        public Integer call() throws LocalPlatformException {
            String id = options.platform().replay(job, Optional.ofNullable(from.savepoint),
                    Optional.ofNullable(outputTo));
            out().println(job.id() + " replay runs as " + id);
            return 0;
        }
    }

    @Command(name = "chaos", mixinStandardHelpOptions = true,
            description = "Kills the TaskManager (and with --broker now and then the broker, or the --targets "
                    + "given) at seeded random moments and starts it again, waiting for the jobs to recover each time.")
    static final class Chaos extends PlatformCommand {
        @Option(names = "--kills", defaultValue = "3", description = "How many kills (default: ${DEFAULT-VALUE}).")
        int kills;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of the moments (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--min-pause", defaultValue = "PT5S",
                description = "Shortest pause before a kill (default: ${DEFAULT-VALUE}).")
        Duration minPause;

        @Option(names = "--max-pause", defaultValue = "PT20S",
                description = "Longest pause before a kill (default: ${DEFAULT-VALUE}).")
        Duration maxPause;

        @Option(names = "--broker", description = "Kill the broker too, one kill in three.")
        boolean broker;

        @Option(names = "--targets", split = ",", paramLabel = "TARGET", converter = TargetConverter.class,
                description = "Exactly these kills in this order, instead of --kills and --broker: taskmanager or "
                        + "broker, e.g. taskmanager,broker,taskmanager.")
        List<ChaosMonkey.Target> targets;

        @Override
        public Integer call() throws LocalPlatformException {
            ChaosMonkey.Plan plan = targets == null
                    ? ChaosMonkey.Plan.drawn(seed, kills, minPause, maxPause, broker)
                    : new ChaosMonkey.Plan(seed, targets, minPause, maxPause);
            ChaosMonkey monkey = new ChaosMonkey(options.platform(), options.timeout);
            int made = monkey.run(plan, kill -> {
                out().println(kill);
                out().flush();
            });
            out().println(made + " kills, every job running");
            return 0;
        }
    }

    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = {"Redrives what a job holds in quarantine (every parked key, or one, with --key) for the "
                    + "fixed version that runs now (deploy it with upgrade first), and waits until it flows again: "
                    + "an aggregate job's parked commands are written again, in their order; the saga and the views "
                    + "are asked to hand the inputs they hold to their code again.",
                    "Exit code 1 when one is still parked at the end of --timeout (its code failed again: see the "
                            + "rejections of an aggregate, the log of the saga or views)."})
    static final class RedriveCommand extends PlatformCommand {
        @Parameters(index = "0", description = "orders, payments, kitchen, delivery, saga or views.",
                converter = JobConverter.class)
        PlatformJob job;

        @Option(names = "--key", paramLabel = "KEY", description = "Only this aggregate, saga or view row.")
        String key;

        @Override
        public Integer call() throws InterruptedException {
            Quarantine quarantine = Quarantine.of(job, new Redrive(options.platform().kafka().bootstrapServers(),
                    options.timeout));
            List<String> before = quarantine.parked().stream().filter(id -> key == null || id.equals(key)).toList();
            print(quarantine.redrive(Optional.ofNullable(key)));
            Instant deadline = Instant.now().plus(options.timeout);
            List<String> still = stillParked(quarantine, before);
            while (!still.isEmpty() && Instant.now().isBefore(deadline)) {
                Thread.sleep(500); // back-off between reads of the parked topic
                still = stillParked(quarantine, before);
            }
            List<String> parked = still;
            before.stream().filter(id -> !parked.contains(id)).forEach(id -> out().println(id + " flows again"));
            parked.forEach(id -> out().println(id + " is still parked: its code failed again (see "
                    + quarantine.failures() + ")"));
            return parked.isEmpty() ? 0 : 1;
        }

        private static List<String> stillParked(Quarantine quarantine, List<String> ids) {
            List<String> parked = quarantine.parked();
            return ids.stream().filter(parked::contains).toList();
        }

        /** What one job keeps in quarantine, as this command sees it. */
        private record Quarantine(Supplier<List<String>> parkedIds, Function<Optional<String>, List<String>> redriver,
                                  String failures) {

            static Quarantine of(PlatformJob job, Redrive redrive) {
                if (job.kind() == PlatformJob.Kind.AGGREGATE) {
                    BoundedContext context = BoundedContext.byId(job.id());
                    return new Quarantine(() -> redrive.parked(context).stream().map(Redrive.Parked::aggregateId)
                            .toList(), key -> redrive.redrive(context, key), context.rejectionsTopic());
                }
                String topic = job.parkedTopic();
                return new Quarantine(() -> redrive.parkedKeys(topic).stream().map(Redrive.ParkedKey::key)
                        .distinct().toList(), key -> redrive.redriveKeys(topic, key), "the " + job.id()
                        + " job's log");
            }

            List<String> parked() {
                return parkedIds.get();
            }

            List<String> redrive(Optional<String> key) {
                return redriver.apply(key);
            }
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true,
            description = {"Reads every topic with read_committed and checks the invariants of docs/architecture.md: "
                    + "one outcome per command, contiguous sequence numbers, no duplicate, every undecodable record "
                    + "on the DLQ, view versions contiguous, no saga stuck, the books balanced.",
                    "Exit code 1 when something is wrong."})
    static final class Audit extends PlatformCommand {
        @Option(names = "--saga-deadline", paramLabel = "DURATION",
                description = "An open saga about which nothing happened for this long is stuck (default: the "
                        + "saga timeout plus one minute, for restarts).")
        Duration sagaDeadline;

        @Override
        public Integer call() {
            LocalKafka kafka = options.platform().kafka();
            if (KafkaClientProperties.file().equals(kafka.clientProperties(AccessCatalog.ADMIN))) {
                // The audit reads, as the tools' principal: it can change nothing.
                kafka.clientProperties(AccessCatalog.TOOLS).ifPresent(KafkaClientProperties::use);
            }
            String servers = kafka.bootstrapServers();
            List<String> lines = new ArrayList<>();
            boolean ok = audit(servers, options.timeout,
                    sagaDeadline != null ? sagaDeadline : options.sagaTimeout.plusMinutes(1), lines);
            print(lines);
            return ok ? 0 : 1;
        }
    }

    /**
     * The audit of every context, every view and the sagas, a report line by line; true when every invariant
     * holds, no open saga has been idle for longer than {@code sagaDeadline} and the books balance.
     */
    static boolean audit(String bootstrapServers, Duration timeout, Duration sagaDeadline, List<String> report) {
        PlatformAudit audit = PlatformAudit.of(new CommittedReader(bootstrapServers, timeout));
        report.addAll(audit.lines());
        PlatformSummary summary = PlatformSummary.read(bootstrapServers);
        List<String> stuck = summary.sagasPastDeadline(Instant.now(), sagaDeadline);
        report.add("sagas: " + summary.outcomes().size() + " orders, " + summary.sagasOpen() + " still open, "
                + stuck.size() + " idle for longer than " + sagaDeadline + (stuck.isEmpty() ? ""
                : " (" + String.join(", ", stuck.subList(0, Math.min(stuck.size(), 10)))
                + (stuck.size() > 10 ? ", ..." : "") + ")"));
        summary.lines().forEach(line -> report.add("  " + line));
        boolean ok = audit.ok() && stuck.isEmpty() && summary.booksBalance();
        report.add(ok ? "every invariant holds" : "INVARIANTS VIOLATED");
        return ok;
    }

    static final class TargetConverter implements CommandLine.ITypeConverter<ChaosMonkey.Target> {
        @Override
        public ChaosMonkey.Target convert(String value) {
            return Arrays.stream(ChaosMonkey.Target.values()).filter(t -> t.id().equals(value)).findFirst()
                    .orElseThrow(() -> new CommandLine.TypeConversionException(
                            "'" + value + "' is neither taskmanager nor broker"));
        }
    }

    static final class JobConverter implements CommandLine.ITypeConverter<PlatformJob> {
        @Override
        public PlatformJob convert(String value) {
            try {
                return PlatformJob.byId(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
