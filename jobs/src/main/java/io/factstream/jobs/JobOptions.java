package io.factstream.jobs;

import java.nio.file.Path;
import java.time.Duration;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.BatchExecutionOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.factstream.catalog.access.AccessCatalog;
import io.factstream.catalog.access.Grant;
import io.factstream.catalog.access.Principal;
import io.factstream.jobs.io.JobInput;
import io.factstream.jobs.io.KafkaAccess;
import io.factstream.jobs.io.KafkaOutput;
import io.factstream.jobs.io.LogBound;
import io.factstream.kafka.clients.KafkaClientProperties;
import io.factstream.kafka.clients.KafkaConnection;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The options every factstream job takes: where Kafka is, how the job checkpoints and keeps state, how wide it
 * runs. Unset options leave the cluster's configuration in force ({@code flink-conf/config.yaml}).
 */
public final class JobOptions {

    /**
     * Whether {@link #execute} asks the cluster for the job's access first: a run that only builds the job's graph
     * and never submits it ({@code state-tools plan-upgrade}) sets it to false, and needs no Kafka.
     */
    public static final ConfigOption<Boolean> CHECK_KAFKA_ACCESS = ConfigOptions.key("factstream.check-kafka-access")
            .booleanType().defaultValue(true)
            .withDescription("Whether a job asks Kafka, before it is submitted, for its access to its topics.");

    @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    public String bootstrapServers;

    @Option(names = "--checkpoint-interval", defaultValue = "PT2S",
            description = "Exactly-once checkpoint interval, ISO-8601; outputs become visible to read_committed "
                    + "readers at each checkpoint (default: ${DEFAULT-VALUE}).")
    public Duration checkpointInterval;

    @Option(names = "--parallelism", description = "Parallelism of the job (default: the cluster's).")
    public Integer parallelism;

    @Option(names = "--state-backend", description = "rocksdb or hashmap (default: the cluster's).")
    public String stateBackend;

    @Option(names = "--checkpoint-dir", description = "Checkpoint storage URI (default: the cluster's).")
    public String checkpointDir;

    @Option(names = "--transaction-timeout", defaultValue = "PT10M",
            description = "Kafka transaction timeout of the sinks, below the broker's transaction.max.timeout.ms "
                    + "(default: ${DEFAULT-VALUE}).")
    public Duration transactionTimeout;

    @Option(names = "--transactional-id-prefix", defaultValue = "factstream",
            description = "Start of the Kafka transactional ids of the job's sinks: keep it across restarts of a job, "
                    + "and give a second instance of the same job (e.g. a rebuild) another (default: ${DEFAULT-VALUE}).")
    public String transactionalIdPrefix;

    @Option(names = "--group-id",
            description = "Kafka consumer group of the job's sources; a new one replays the inputs from the "
                    + "beginning (default: factstream-<job>).")
    public String groupId;

    @Option(names = "--take-over-writes",
            description = "Write even though another instance of this job has got further than the state this one "
                    + "starts from (a replay in place that is meant to write again); without it such an instance "
                    + "stops before writing anything (see the README's operations section).")
    public boolean takeOverWrites;

    @Option(names = "--bounded",
            description = "Stop at the end of the input (--until) instead of running on.")
    public boolean bounded;

    @Option(names = "--mode", defaultValue = "STREAMING",
            description = "STREAMING, or BATCH for a backfill over a bounded input; the job's logic and outputs are "
                    + "the same (default: ${DEFAULT-VALUE}).")
    public RuntimeExecutionMode mode;

    @Option(names = "--from", converter = LogBoundConverter.class,
            description = "Where the Kafka input starts: committed (the group's offsets, else the earliest), earliest, "
                    + "latest, an ISO-8601 time, or <topic>:<partition>=<offset>,... (default: committed; earliest in BATCH "
                    + "mode).")
    public LogBound from;

    @Option(names = "--until", converter = LogBoundConverter.class,
            description = "Where a bounded input ends: latest (as the job starts), an ISO-8601 time, or "
                    + "<topic>:<partition>=<offset>,...; makes the job bounded (default: latest).")
    public LogBound until;

    @Option(names = "--input-file",
            description = "Reads the input topics from this topic dump file (topics dump) instead of Kafka; makes "
                    + "the job bounded.")
    public String inputFile;

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "Kafka client properties (security.protocol, sasl.*, ssl.*, ...) for every source, sink "
                    + "and client of the job; default: the file $" + KafkaClientProperties.ENVIRONMENT_VARIABLE
                    + " names, if any.")
    public Path kafkaProperties;

    @Option(names = "--output-bootstrap-servers",
            description = "Kafka the sinks write to, e.g. an empty cluster for a backfill (default: "
                    + "--bootstrap-servers).")
    public String outputBootstrapServers;

    @Option(names = "--output-kafka-properties", paramLabel = "FILE",
            description = "Kafka client properties for the sinks' cluster when it is secured otherwise than the "
                    + "input's (default: those of --kafka-properties).")
    public Path outputKafkaProperties;

    /** Whether the job ends at the end of its input: a batch run, a dump file, an end given, or --bounded. */
    public boolean isBounded() {
        return bounded || mode == RuntimeExecutionMode.BATCH || until != null || inputFile != null;
    }

    /**
     * Where the job named {@code job} reads: the dump file, or Kafka from {@code --from} (by default the group's
     * committed offsets live, the earliest in a batch run) to {@code --until} (by default the latest offsets as the
     * job starts) when the job is bounded; its group is {@code --group-id}, or {@code factstream-<job>}.
     */
    public JobInput input(String job) {
        if (inputFile != null) {
            return new JobInput.DumpFile(inputFile);
        }
        LogBound start = from != null ? from
                : mode == RuntimeExecutionMode.BATCH ? LogBound.EARLIEST : LogBound.COMMITTED;
        return new JobInput.Kafka(connection(bootstrapServers), groupId != null ? groupId : "factstream-" + job, start,
                isBounded() ? end() : null);
    }

    /**
     * The Flink job name of a run of {@code job} with these options: the job's {@linkplain PlatformJob#flinkJobName
     * name}, followed by where it writes when that is not the Kafka it reads, so that a replay or a backfill into
     * another cluster is never taken for the live job.
     */
    public String jobName(PlatformJob job) {
        boolean elsewhere = outputBootstrapServers != null && !outputBootstrapServers.equals(bootstrapServers);
        return job.flinkJobName() + (elsewhere ? " into " + outputBootstrapServers : "");
    }

    /**
     * Runs the job under its {@linkplain #jobName name} once the cluster has said that the principal it connects as
     * may read its input topics and write its output topics, as the {@link AccessCatalog} grants the job
     * ({@link KafkaAccess}); otherwise fails with one line that names what it lacks.
     */
    public void execute(StreamExecutionEnvironment env, PlatformJob job) throws Exception {
        if (!env.getConfiguration().get(CHECK_KAFKA_ACCESS)) {
            env.execute(jobName(job));
            return;
        }
        Principal principal = AccessCatalog.standard().principal(job.name());
        String who = "the " + job.id() + " job";
        if (inputFile == null) {
            KafkaAccess.require(connection(bootstrapServers), principal.topics(Grant.Operation.READ),
                    Grant.Operation.READ, who);
        }
        KafkaAccess.require(outputConnection(), principal.topics(Grant.Operation.WRITE), Grant.Operation.WRITE, who);
        env.execute(jobName(job));
    }

    /**
     * The stream through the {@link io.factstream.jobs.io.WriterFence} of {@code job}: the operator under
     * {@code uid} stops this instance when another instance of the job writes the same outputs.
     */
    public <T> DataStream<T> fenced(DataStream<T> stream, PlatformJob job, String uid) {
        return output(job).fenced(stream, uid);
    }

    /**
     * Where the job writes: {@code --output-bootstrap-servers}, or the Kafka it reads; with the client properties of
     * {@code --output-kafka-properties}, or else those of {@link #connection}.
     */
    public KafkaOutput output() {
        return new KafkaOutput(outputConnection(), transactionalIdPrefix, transactionTimeout, null, false);
    }

    /** {@link #output()} for the outputs of {@code job}, guarded against a second instance of it. */
    public KafkaOutput output(PlatformJob job) {
        return new KafkaOutput(outputConnection(), transactionalIdPrefix, transactionTimeout, jobName(job),
                takeOverWrites);
    }

    private KafkaConnection outputConnection() {
        String servers = outputBootstrapServers != null ? outputBootstrapServers : bootstrapServers;
        return outputKafkaProperties != null
                ? new KafkaConnection(servers, KafkaClientProperties.read(outputKafkaProperties))
                : connection(servers);
    }

    /**
     * A cluster with the client properties of {@code --kafka-properties}, or else of the file that
     * {@value KafkaClientProperties#ENVIRONMENT_VARIABLE} names where the job is defined: read once, there, and
     * carried to the job's sources, sinks and fences on the cluster.
     */
    public KafkaConnection connection(String servers) {
        return new KafkaConnection(servers, kafkaProperties != null ? KafkaClientProperties.read(kafkaProperties)
                : KafkaClientProperties.configured());
    }

    /**
     * Where the run's time ends, in epoch milliseconds: nowhere live; in a bounded run at {@code --until} when that
     * is a time, else at this moment, so that deadlines after it do not fire, as they would not have fired live by
     * then.
     */
    public long timeHorizon() {
        if (!isBounded()) {
            return Long.MAX_VALUE;
        }
        return end().time() != null ? end().time().toEpochMilli() : System.currentTimeMillis();
    }

    private LogBound end() {
        return until != null ? until : LogBound.LATEST;
    }

    /**
     * The job's configuration on top of the cluster's: runtime mode, checkpointing, state backend, no Kryo fallback.
     */
    public Configuration configuration() {
        Configuration config = new Configuration();
        config.set(ExecutionOptions.RUNTIME_MODE, mode);
        // A batch job runs at the parallelism it is given, like its streaming twin, not at one the scheduler derives
        // from data volumes.
        config.set(BatchExecutionOptions.ADAPTIVE_AUTO_PARALLELISM_ENABLED, false);
        config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        config.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        config.set(PipelineOptions.GENERIC_TYPES, false);
        // Chained operators hand records on without a deep copy: no factstream function changes a record it
        // received or keeps one it emitted in order to change it later.
        config.set(PipelineOptions.OBJECT_REUSE, true);
        if (stateBackend != null) {
            config.set(StateBackendOptions.STATE_BACKEND, stateBackend);
            config.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, stateBackend.equals("rocksdb"));
        }
        if (checkpointDir != null) {
            config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
        }
        return config;
    }

    /** An execution environment with {@link #configuration()} and the parallelism. */
    public StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration());
        if (parallelism != null) {
            env.setParallelism(parallelism);
        }
        return env;
    }

    /** Reads {@code --from} and {@code --until}. */
    public static final class LogBoundConverter implements CommandLine.ITypeConverter<LogBound> {
        @Override
        public LogBound convert(String value) {
            return LogBound.parse(value);
        }
    }

    /** Options for tests and tools: defaults, with the given Kafka. */
    public static JobOptions defaults(String bootstrapServers) {
        JobOptions options = new JobOptions();
        options.bootstrapServers = bootstrapServers;
        options.checkpointInterval = Duration.ofSeconds(2);
        options.transactionTimeout = Duration.ofMinutes(10);
        options.transactionalIdPrefix = "factstream";
        options.mode = RuntimeExecutionMode.STREAMING;
        return options;
    }
}
