package io.factstream.jobs.io;

import java.io.IOException;

import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

import io.factstream.kafka.dump.TopicDump;
import io.factstream.log.TopicRecord;

/** Reads a {@link TopicDump} file in Flink's file source: one {@link TopicRecord} after the other, in file order. */
public final class TopicDumpFormat extends SimpleStreamFormat<TopicRecord> {

    @Override
    public StreamFormat.Reader<TopicRecord> createReader(Configuration config, FSDataInputStream stream)
            throws IOException {
        DataFileStream<TopicRecord> records = new DataFileStream<>(stream, new SpecificDatumReader<>(TopicRecord.class));
        return new StreamFormat.Reader<>() {
            @Override
            public TopicRecord read() {
                return records.hasNext() ? records.next() : null;
            }

            @Override
            public void close() throws IOException {
                records.close();
            }
        };
    }

    @Override
    public TypeInformation<TopicRecord> getProducedType() {
        return new AvroRecordTypeInfo<>(TopicRecord.class);
    }
}
