package io.factstream.statetools.upgrade;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.dag.Pipeline;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.client.program.ProgramInvocationException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.UdfStreamOperatorFactory;

import io.factstream.jobs.JobOptions;
import io.factstream.jobs.state.DeclaresKeyedState;

/**
 * The operators a job would run, found without running it: the job's {@code main} is invoked the way Flink's CLI
 * does to build a job graph ({@link PackagedProgramUtils}), and the graph is read instead of submitted. For each
 * operator: the id Flink matches savepoint state by, the uid, the parallelism, the max parallelism if set, and the
 * keyed states it reads with their serializers, when its function {@link DeclaresKeyedState declares them}.
 *
 * <p>The job's classes come from its jar first (Flink's child-first class loading, as on a cluster), so the state
 * schemas are the new version's. Close it when done: the classes stay loadable until then.
 */
public final class JobLayout implements AutoCloseable {

    /**
     * One operator of the job.
     *
     * @param id             the id Flink gives it: the hash of its uid, or of its place in the graph without one
     * @param uid            its uid, if it has one
     * @param name           its name, for people
     * @param parallelism    how many subtasks it would run
     * @param maxParallelism its max parallelism if the job sets one, else -1 (then Flink adopts the savepoint's)
     * @param keyedStates    the keyed states its function declares, by name, with the new serializer's snapshot;
     *                       empty when it declares none
     * @param declares       whether its function declares its keyed state
     */
    public record Operator(OperatorID id, Optional<String> uid, String name, int parallelism, int maxParallelism,
                           Map<String, TypeSerializerSnapshot<?>> keyedStates, boolean declares) {
    }

    /**
     * What the jar's classes take from this classpath, beyond Flink's own (always parent-first): the interface its
     * functions declare their state through, and the libraries it bundles that the Flink classes here link against
     * (the Kafka connector against Kafka's clients, flink-avro against Avro). A class must come from one loader;
     * the jar's own classes, its state classes among them, still come from the jar.
     */
    private static final List<String> PARENT_FIRST = List.of(DeclaresKeyedState.class.getName(), "org.apache.kafka.",
            "org.apache.avro.");

    private final PackagedProgram program;
    private final List<Operator> operators;

    private JobLayout(PackagedProgram program, List<Operator> operators) {
        this.program = program;
        this.operators = operators;
    }

    /**
     * Builds the job's graph.
     *
     * @param jar         the job jar, or empty for a class on this classpath
     * @param entryClass  the class whose {@code main} builds the job, or empty for the jar's {@code Main-Class}
     * @param args        the job's arguments, as {@code flink run} would pass them
     * @param parallelism the default parallelism, where the job sets none
     */
    public static JobLayout build(Optional<Path> jar, Optional<String> entryClass, List<String> args,
                                  int parallelism) throws ProgramInvocationException {
        Configuration config = new Configuration();
        config.set(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL, PARENT_FIRST);
        config.set(JobOptions.CHECK_KAFKA_ACCESS, false); // the graph is read, never submitted: no Kafka is asked
        PackagedProgram program = PackagedProgram.newBuilder()
                .setJarFile(jar.map(Path::toFile).orElse(null))
                .setEntryPointClassName(entryClass.orElse(null))
                .setArguments(args.toArray(String[]::new))
                .setConfiguration(config)
                .build();
        try {
            Pipeline pipeline = PackagedProgramUtils.getPipelineFromProgram(program, config, parallelism, true);
            if (!(pipeline instanceof StreamGraph graph)) {
                throw new ProgramInvocationException("the job is not a DataStream job: "
                        + pipeline.getClass().getSimpleName());
            }
            return new JobLayout(program, operators(graph, parallelism));
        } catch (ProgramInvocationException | RuntimeException e) {
            program.close();
            throw e;
        }
    }

    private static List<Operator> operators(StreamGraph graph, int defaultParallelism) {
        Map<Integer, byte[]> hashes = new StreamGraphHasherV2().traverseStreamGraphAndGenerateHashes(graph);
        ExecutionConfig config = graph.getExecutionConfig();
        int jobParallelism = config.getParallelism() > 0 ? config.getParallelism() : defaultParallelism;
        List<Operator> operators = new ArrayList<>();
        for (StreamNode node : graph.getStreamNodesSortedTopologicallyFromSources()) {
            Map<String, TypeSerializerSnapshot<?>> states = new LinkedHashMap<>();
            boolean declares = false;
            if (node.getOperatorFactory() instanceof UdfStreamOperatorFactory<?> udf
                    && udf.getUserFunction() instanceof DeclaresKeyedState declaring) {
                declares = true;
                for (StateDescriptor<?, ?> state : declaring.keyedStates()) {
                    states.put(state.getName(), snapshot(state, config));
                }
            }
            int maxParallelism = node.getMaxParallelism() > 0 ? node.getMaxParallelism() : config.getMaxParallelism();
            operators.add(new Operator(new OperatorID(hashes.get(node.getId())),
                    Optional.ofNullable(node.getTransformationUID()), node.getOperatorName(),
                    node.getParallelism() > 0 ? node.getParallelism() : jobParallelism, maxParallelism,
                    Collections.unmodifiableMap(states), declares));
        }
        return List.copyOf(operators);
    }

    private static TypeSerializerSnapshot<?> snapshot(StateDescriptor<?, ?> state, ExecutionConfig config) {
        state.initializeSerializerUnlessSet(config);
        return state.getSerializer().snapshotConfiguration();
    }

    /** Every operator, sources first. */
    public List<Operator> operators() {
        return operators;
    }

    /** Where the job's classes are loaded from: its jar first, then this classpath. */
    public ClassLoader classLoader() {
        return program.getUserCodeClassLoader();
    }

    /** The class whose {@code main} built the job. */
    public String entryClass() {
        return program.getMainClassName();
    }

    @Override
    public void close() {
        program.close();
    }
}
