package io.factstream.jobs.topology;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import io.factstream.log.DeadLetter;
import io.factstream.jobs.io.AvroRecordTypeInfo;

/** Passes decoded records on and sends dead letters to the {@link #DEAD_LETTERS} side output, counting them. */
public final class DeadLetterRouter<T extends SpecificRecordBase> extends ProcessFunction<Either<DeadLetter, T>, T> {

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroRecordTypeInfo<>(DeadLetter.class));

    private transient Counter deadLettered;

    @Override
    public void open(OpenContext openContext) {
        deadLettered = getRuntimeContext().getMetricGroup().addGroup("factstream").counter("recordsDeadLettered");
    }

    @Override
    public void processElement(Either<DeadLetter, T> decoded, Context context, Collector<T> out) {
        if (decoded.isRight()) {
            out.collect(decoded.right());
        } else {
            deadLettered.inc();
            context.output(DEAD_LETTERS, decoded.left());
        }
    }
}
