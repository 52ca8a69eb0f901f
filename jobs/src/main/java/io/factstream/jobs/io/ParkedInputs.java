package io.factstream.jobs.io;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import io.factstream.log.ParkedInput;

/** How the saga and view jobs write the inputs they hold for keys in quarantine. */
public final class ParkedInputs {

    private ParkedInputs() {
    }

    /** Records for a parked topic: keyed scope/key, so that a key's records stay in order; timed by business time. */
    public static KafkaRecordSerializationSchema<ParkedInput> serializer(String topic) {
        return CatalogRecordSerializer.builder(ParkedInput.class)
                .topic(topic)
                .key(ParkedInputs::key)
                .timestamp(parked -> KafkaOutput.recordTimestamp(parked.getAt()))
                .build();
    }

    /** The record key of a parked key's records. */
    public static String key(ParkedInput parked) {
        return parked.getScope() + "/" + parked.getKey();
    }
}
