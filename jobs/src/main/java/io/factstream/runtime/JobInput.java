package io.factstream.runtime;

import java.util.List;
import java.util.Set;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

import io.factstream.log.TopicDump;
import io.factstream.log.TopicRecord;
import io.factstream.serde.RecordDecoder;

/**
 * Where a job's input comes from: its Kafka topics (live, or a range of them, see {@link JobOptions}), or the
 * records of those topics in a topic dump file ({@code --input-file}). Either way the job gets the same elements
 * from the same decoder, timed by the same watermark strategy, whose timestamp assigner is handed each record's
 * Kafka timestamp.
 */
public final class JobInput {

    private JobInput() {
    }

    /**
     * The decoded records of the topics.
     *
     * @param uid the uid of the source, and the start of the uids of the operators a dump file needs
     */
    public static <T> SingleOutputStreamOperator<T> read(StreamExecutionEnvironment env, JobOptions options,
                                                         RecordDecoder<T> decoder, String groupId,
                                                         List<String> topics, WatermarkStrategy<T> time,
                                                         String uid) {
        if (options.inputFile == null) {
            return env.fromSource(KafkaEndpoints.source(options, decoder, groupId, topics), time, uid).uid(uid);
        }
        FileSource<TopicRecord> dump = FileSource
                .forRecordStreamFormat(new TopicDumpFormat(), new Path(options.inputFile))
                .build();
        return env.fromSource(dump, WatermarkStrategy.<TopicRecord>noWatermarks()
                                .withTimestampAssigner((record, ignored) -> record.getTimestamp().toEpochMilli()),
                        uid + " " + options.inputFile)
                .uid(uid)
                .flatMap(new Decode<>(decoder, Set.copyOf(topics)), decoder.getProducedType())
                .uid(uid + "-decode")
                .name("decode " + String.join(", ", topics))
                .assignTimestampsAndWatermarks(time)
                .uid(uid + "-time")
                .name("time");
    }

    /** Decodes the dump records of some topics as the Kafka source would. */
    private static final class Decode<T> implements FlatMapFunction<TopicRecord, T> {
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
