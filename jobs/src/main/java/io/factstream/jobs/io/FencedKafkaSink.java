package io.factstream.jobs.io;

import java.io.IOException;
import java.util.Collection;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;

import io.factstream.kafka.clients.KafkaConnection;

/**
 * A job's exactly-once Kafka sink, which checks the job's writer lease before it makes its writer. Making a writer
 * aborts whatever transactions its transactional ids left open, and so fences any producer that uses those ids: a
 * second, stale instance of the job would fence the sinks of the instance that runs, before its
 * {@link WriterFence} (upstream, opened after the sinks of its chain and in another task than most of them) could
 * stop it. Each subtask therefore refuses first, as the fence would ({@link Leases#refuseIfAnotherGotFurther}),
 * and only then hands over to the {@link KafkaSink}, which does everything else: the operators, their uids, state
 * and committables are the Kafka sink's.
 *
 * @param <IN> the records written
 */
final class FencedKafkaSink<IN> implements LineageVertexProvider,
        TwoPhaseCommittingStatefulSink<IN, KafkaWriterState, KafkaCommittable>,
        SupportsPostCommitTopology<KafkaCommittable> {

    private static final long serialVersionUID = 1L;

    private final KafkaSink<IN> sink;
    private final KafkaConnection connection;
    private final String writer;
    private final boolean takeOver;

    /**
     * @param writer   the lease's key: the job's name and transactional-id prefix
     * @param takeOver write even where another instance got further (a replay in place)
     */
    FencedKafkaSink(KafkaSink<IN> sink, KafkaConnection connection, String writer, boolean takeOver) {
        this.sink = sink;
        this.connection = connection;
        this.writer = writer;
        this.takeOver = takeOver;
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> createWriter(
            WriterInitContext context) throws IOException {
        refuseIfStale(context);
        return sink.createWriter(context);
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> restoreWriter(
            WriterInitContext context, Collection<KafkaWriterState> recoveredState) throws IOException {
        refuseIfStale(context);
        return sink.restoreWriter(context, recoveredState);
    }

    private void refuseIfStale(WriterInitContext context) {
        Leases.refuseIfAnotherGotFurther(connection, writer, context.getJobInfo().getJobId().toString(),
                context.getRestoredCheckpointId().orElse(0L), takeOver);
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return sink.getWriterStateSerializer();
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context) {
        return sink.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
        return sink.getCommittableSerializer();
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committables) {
        sink.addPostCommitTopology(committables);
    }

    @Override
    public LineageVertex getLineageVertex() {
        return sink.getLineageVertex();
    }
}
