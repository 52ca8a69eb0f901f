package io.factstream.catalog.wire;

import org.apache.avro.Conversion;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The Avro model a hot path reads a generated record class with: the class's own conversions (its logical types,
 * such as {@code timestamp-millis} as {@code Instant}) and Avro's fast reader, which builds a reader once per pair of
 * writer and reader schemas instead of walking a resolving grammar for every record. What it reads is what the
 * class's own model reads; only the way differs. A model of its own, so that no other reader of the class changes.
 */
public final class FastReadingModel {

    private FastReadingModel() {
    }

    /** A new model for the class. */
    public static SpecificData of(Class<? extends SpecificRecord> type) {
        SpecificData own = SpecificData.getForClass(type);
        SpecificData model = new SpecificData(type.getClassLoader());
        for (Conversion<?> conversion : own.getConversions()) {
            model.addLogicalTypeConversion(conversion);
        }
        model.setFastReaderEnabled(true);
        return model;
    }
}
