package io.factstream.jobs.topology;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.types.Either;

import io.factstream.log.DeadLetter;
import io.factstream.log.RedriveRequest;
import io.factstream.jobs.io.AvroRecordTypeInfo;

/**
 * The redrive requests a saga or view job takes ({@code factstream.redrive}), as the second input of its keyed
 * operators: each request names a scope (the saga's or a view's name) and a parked key. A live job reads them from
 * Kafka; a bounded run (replay, backfill) has none, as nothing asks it to redrive.
 *
 * <p>An unreadable request is counted ({@code recordsDeadLettered} of its decoder) and dropped: it asks for nothing
 * that another run of the redrive tool cannot ask again.
 */
final class Redrives {

    static final TypeInformation<RedriveRequest> TYPE = new AvroRecordTypeInfo<>(RedriveRequest.class);

    private Redrives() {
    }

    /**
     * The requests of the records read, decoded; no requests, with the watermarks of {@code alongside}, when there
     * are no records to read (a bounded run), so that the operator's time is its other input's.
     */
    static <T> DataStream<RedriveRequest> of(DataStream<Either<DeadLetter, RedriveRequest>> records,
                                             DataStream<T> alongside, String decoderUid) {
        if (records == null) {
            return alongside.flatMap(new WatermarksOnly<T, RedriveRequest>(), TYPE).name("no redrives");
        }
        return records.process(new DeadLetterRouter<RedriveRequest>(), TYPE).uid(decoderUid)
                .name("decode redrive requests");
    }
}
