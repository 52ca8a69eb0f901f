package io.factstream.jobs.io;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.kafka.dump.TopicDump;
import io.factstream.log.TopicRecord;

/**
 * Where a job's input comes from: its Kafka topics ({@link Kafka}: live, or a range of them), or the records of
 * those topics in a topic dump file ({@link DumpFile}). Either way the job gets the same elements from the same
 * decoder, timed by the same watermark strategy, whose timestamp assigner is handed each record's Kafka timestamp.
 */
public sealed interface JobInput {

    /** Whether the input ends: a range of the topics, or a file. */
    boolean bounded();

    /**
     * The decoded records of the topics.
     *
     * @param uid the uid of the source, and the start of the uids of the operators a dump file needs
     */
    <T> SingleOutputStreamOperator<T> read(StreamExecutionEnvironment env, RecordDecoder<T> decoder,
                                           List<String> topics, WatermarkStrategy<T> time, String uid);

    /**
     * Kafka topics, read as committed records only: their writers are transactional jobs whose aborted attempts
     * must stay unseen. The source never fails on bad input (the decoder turns undecodable records into dead
     * letters).
     *
     * @param connection the cluster and the client properties
     * @param groupId    the consumer group, whose committed offsets a live job starts from
     * @param start   where the read starts
     * @param end     where it ends; null for a live job, which reads on
     */
    record Kafka(KafkaConnection connection, String groupId, LogBound start, LogBound end) implements JobInput {

        @Override
        public boolean bounded() {
            return end != null;
        }

        @Override
        public <T> SingleOutputStreamOperator<T> read(StreamExecutionEnvironment env, RecordDecoder<T> decoder,
                                                      List<String> topics, WatermarkStrategy<T> time, String uid) {
            KafkaSourceBuilder<T> builder = KafkaSource.<T>builder()
                    .setProperties(connection.properties(
                            Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")))
                    .setTopics(topics)
                    .setGroupId(groupId)
                    .setStartingOffsets(start.offsets(true))
                    .setDeserializer(decoder);
            if (end != null) {
                builder.setBounded(end.offsets(false));
            }
            return env.fromSource(builder.build(), time, uid).uid(uid);
        }
    }

    /** A topic dump file ({@code topics dump}): the records of the job's topics in it, in file order. */
    record DumpFile(String path) implements JobInput {

        @Override
        public boolean bounded() {
            return true;
        }

        @Override
        public <T> SingleOutputStreamOperator<T> read(StreamExecutionEnvironment env, RecordDecoder<T> decoder,
                                                      List<String> topics, WatermarkStrategy<T> time, String uid) {
            FileSource<TopicRecord> dump = FileSource.forRecordStreamFormat(new TopicDumpFormat(), new Path(path))
                    .build();
            return env.fromSource(dump, WatermarkStrategy.<TopicRecord>noWatermarks()
                                    .withTimestampAssigner((record, ignored) -> record.getTimestamp().toEpochMilli()),
                            uid + " " + path)
                    .uid(uid)
                    .flatMap(new Decode<>(decoder, Set.copyOf(topics)), decoder.getProducedType())
                    .uid(uid + "-decode")
                    .name("decode " + String.join(", ", topics))
                    .assignTimestampsAndWatermarks(time)
                    .uid(uid + "-time")
                    .name("time");
        }
    }

    /** Decodes the dump records of some topics as the Kafka source would. */
    final class Decode<T> implements FlatMapFunction<TopicRecord, T> {
        private final RecordDecoder<T> decoder;
        private final Set<String> topics;

        Decode(RecordDecoder<T> decoder, Set<String> topics) {
            this.decoder = decoder;
            this.topics = topics;
        }

        @Override
        public void flatMap(TopicRecord record, Collector<T> out) {
            if (topics.contains(record.getTopic())) {
                out.collect(decoder.decode(TopicDump.toConsumerRecord(record)));
            }
        }
    }
}
