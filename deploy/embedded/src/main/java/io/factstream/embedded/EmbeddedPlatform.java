package io.factstream.embedded;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.domain.Deciders;
import io.factstream.domain.Views;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.jobs.AggregateJob;
import io.factstream.jobs.JobOptions;
import io.factstream.jobs.SagaJob;
import io.factstream.jobs.ViewJob;
import io.factstream.jobs.topology.EventTime;
import io.factstream.kafka.audit.PlatformAudit;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.kernel.saga.SagaDefinition;
import io.factstream.kernel.view.ViewDefinition;
import io.factstream.testdata.PlatformSummary;
import io.factstream.testdata.World;
import io.factstream.testdata.WorldFeeder;
import io.factstream.testdata.WorldPlay;
import io.factstream.testkit.KafkaBrokerExtension;

/**
 * The whole platform in this JVM: an in-process KRaft broker with the catalog topics, a Flink mini cluster (web UI
 * included), and the six jobs, each a Flink job of its own: the four aggregates, the order-fulfilment saga and the
 * views.
 */
public final class EmbeddedPlatform implements AutoCloseable {

    /**
     * How the platform runs.
     *
     * @param partitions         partitions of every topic
     * @param checkpointInterval every job's checkpoint interval: how soon outputs become visible
     * @param timeouts           the saga's kitchen and delivery timeouts
     * @param time               how the saga tells time
     */
    public record Settings(int partitions, Duration checkpointInterval, OrderFulfilment.Timeouts timeouts,
                           EventTime time) {

        /** Quick enough for a demo and for tests: outputs within a second, timeouts in half a minute. */
        public static Settings quick() {
            return new Settings(2, Duration.ofMillis(300),
                    new OrderFulfilment.Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(30)),
                    new EventTime(Duration.ofMillis(1_500), Duration.ofMillis(1_500), Duration.ofMillis(300)));
        }
    }

    /** The domain logic the jobs run: the reference deciders, saga and views, or wrappers of them in tests. */
    public interface Logic extends Serializable {

        Decider<?> decider(BoundedContext context);

        SagaDefinition<?> saga(OrderFulfilment.Timeouts timeouts);

        default List<ViewDefinition<?>> views() {
            return Views.all();
        }

        /** The reference domain. */
        static Logic standard() {
            return new Logic() {
                @Override
                public Decider<?> decider(BoundedContext context) {
                    return Deciders.forContext(context);
                }

                @Override
                public SagaDefinition<?> saga(OrderFulfilment.Timeouts timeouts) {
                    return new OrderFulfilment(timeouts);
                }
            };
        }
    }

    private final Settings settings;
    private final Logic logic;
    private final KafkaBrokerExtension kafka;
    private final MiniCluster flink;
    private final Map<String, JobID> jobs = new LinkedHashMap<>();
    /** The names of the six jobs, by their ids ({@code orders}, ..., {@code saga}, {@code views}). */
    private final Map<String, String> platformJobs = new LinkedHashMap<>();

    private EmbeddedPlatform(Settings settings, Logic logic, KafkaBrokerExtension kafka, MiniCluster flink) {
        this.settings = settings;
        this.logic = logic;
        this.kafka = kafka;
        this.flink = flink;
    }

    /** Prepares the broker before the jobs start, e.g. by loading the topics their savepoints belong to. */
    @FunctionalInterface
    public interface BrokerSetup {
        void prepare(KafkaBrokerExtension kafka) throws Exception;
    }

    /** Starts the broker, creates the topics, starts Flink and submits the six jobs. */
    public static EmbeddedPlatform start(Settings settings, Logic logic) throws Exception {
        return resume(settings, logic, kafka -> { }, Map.of());
    }

    /**
     * Starts the broker and creates the topics, prepares the broker, starts Flink and submits the six jobs, each
     * resumed from its savepoint if {@code savepoints} names one for its id ({@code orders}, {@code payments},
     * {@code kitchen}, {@code delivery}, {@code saga}, {@code views}).
     */
    public static EmbeddedPlatform resume(Settings settings, Logic logic, BrokerSetup setup,
                                          Map<String, String> savepoints) throws Exception {
        KafkaBrokerExtension kafka = KafkaBrokerExtension.create()
                .withTopics(TopicAdmin.newTopics(TopicCatalog.sized(settings.partitions(), (short) 1)));
        kafka.start();
        setup.prepare(kafka);
        Configuration config = new Configuration();
        config.set(RestOptions.BIND_PORT, "8081-8181");
        config.set(TaskManagerOptions.NUM_TASK_SLOTS, 8);
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 100);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        MiniCluster flink = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(config)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(8)
                .build());
        flink.start();
        EmbeddedPlatform platform = new EmbeddedPlatform(settings, logic, kafka, flink);
        platform.submitJobs(savepoints);
        return platform;
    }

    /** Submits the six jobs, each resumed from its savepoint if {@code savepoints} names one for its id. */
    private void submitJobs(Map<String, String> savepoints) throws Exception {
        Logic domain = logic; // the suppliers are shipped to the cluster: they must not capture this
        for (BoundedContext context : BoundedContext.values()) {
            submitJob(context.id(), "aggregate " + context.id(), savepoints, (env, options) -> AggregateJob.define(
                    env, options, context, AggregateSettings.standard(), () -> domain.decider(context)));
        }
        OrderFulfilment.Timeouts timeouts = settings.timeouts();
        EventTime time = settings.time();
        submitJob("saga", "saga " + OrderFulfilment.NAME, savepoints, (env, options) ->
                SagaJob.define(env, options, time, () -> domain.saga(timeouts)));
        List<ViewDefinition<?>> views = domain.views();
        submitJob("views", "views", savepoints, (env, options) -> ViewJob.define(env, options, views));
    }

    private void submitJob(String id, String name, Map<String, String> savepoints,
                           BiConsumer<StreamExecutionEnvironment, JobOptions> definition) throws Exception {
        platformJobs.put(id, name);
        submit(name, savepoints.get(id), options -> { }, definition);
    }

    /**
     * Stops the six jobs with savepoints into the directory, one after another, and returns each job's savepoint by
     * its id, for {@link #resumeJobs}.
     */
    public Map<String, String> stopJobsWithSavepoints(Path directory, Duration timeout) throws Exception {
        Map<String, String> savepoints = new LinkedHashMap<>();
        for (Map.Entry<String, String> job : platformJobs.entrySet()) {
            savepoints.put(job.getKey(), flink.stopWithSavepoint(jobs.remove(job.getValue()),
                    directory.toUri().toString(), false, SavepointFormatType.CANONICAL)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        }
        return savepoints;
    }

    /** Starts the six jobs again, each from its savepoint as {@link #stopJobsWithSavepoints} returned them. */
    public void resumeJobs(Map<String, String> savepoints) throws Exception {
        submitJobs(savepoints);
    }

    /**
     * Submits a job, defined on an environment with the platform's job options (they may be changed, e.g. to run
     * bounded or with another consumer group), and returns its id.
     */
    public JobID submit(String name, BiConsumer<StreamExecutionEnvironment, JobOptions> definition)
            throws Exception {
        return submit(name, options -> { }, definition);
    }

    /**
     * Submits a job with the platform's job options changed first (e.g. a batch run, another input or output),
     * and returns its id.
     */
    public JobID submit(String name, Consumer<JobOptions> adjust,
                        BiConsumer<StreamExecutionEnvironment, JobOptions> definition) throws Exception {
        return submit(name, null, adjust, definition);
    }

    private JobID submit(String name, String savepoint, Consumer<JobOptions> adjust,
                         BiConsumer<StreamExecutionEnvironment, JobOptions> definition) throws Exception {
        JobOptions options = JobOptions.defaults(kafka.bootstrapServers());
        options.checkpointInterval = settings.checkpointInterval();
        options.transactionTimeout = Duration.ofMinutes(2);
        adjust.accept(options);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(options.configuration());
        env.setParallelism(1);
        definition.accept(env, options);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(name);
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        JobID id = flink.submitJob(graph.getJobGraph()).get().getJobID();
        jobs.put(name, id);
        return id;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public KafkaBrokerExtension kafka() {
        return kafka;
    }

    public MiniCluster flink() {
        return flink;
    }

    /** The Flink web UI. */
    public URI webInterface() throws Exception {
        return flink.getRestAddress().get();
    }

    /** The running jobs by name. */
    public Map<String, JobID> jobs() {
        return jobs;
    }

    /**
     * Waits until {@code orders} orders were placed and every one of their sagas has finished, and returns the
     * summary; fails with the last summary when the deadline passes first.
     */
    public PlatformSummary awaitSagasFinished(int orders, Duration timeout) throws InterruptedException {
        return PlatformSummary.await(bootstrapServers(), orders, timeout);
    }

    /**
     * Plays a world through the running jobs to its end: feeds its commands, then waits until every order of it
     * has finished its saga and every command has an answer on the event store.
     *
     * @param timeout how long feeding, then the sagas, then the answers may each take
     * @throws IllegalStateException when commands are still unanswered at the end, naming them
     */
    public void play(World world, Duration timeout) throws Exception {
        new WorldFeeder(bootstrapServers()).feed(world, timeout);
        awaitSagasFinished(WorldPlay.plannedOutcomes(world).size(), timeout);
        CommittedReader eventStore = new CommittedReader(bootstrapServers(), timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> unanswered = PlatformAudit.of(eventStore).problems();
        while (!unanswered.isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(500); // answers become visible with the jobs' next checkpoint
            unanswered = PlatformAudit.of(eventStore).problems();
        }
        if (!unanswered.isEmpty()) {
            throw new IllegalStateException("commands still unanswered after " + timeout + ": " + unanswered);
        }
    }

    /** Cancels a job and waits until it has stopped. */
    public void cancel(JobID job) throws Exception {
        if (!flink.getJobStatus(job).get().isGloballyTerminalState()) {
            flink.cancelJob(job).get();
            flink.requestJobResult(job).get();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            for (JobID job : jobs.values()) {
                cancel(job);
            }
            flink.close();
        } finally {
            kafka.stop();
        }
    }
}
