package io.factstream.analytics.format;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.table.types.DataType;

/**
 * The SQL row types of the catalog's records, as the {@value FactstreamAvroFormatFactory#IDENTIFIER} format reads
 * them.
 */
public final class SqlShapes {

    private SqlShapes() {
    }

    /** The columns of a record type in SQL, and their types. */
    public static DataType dataType(Class<? extends SpecificRecord> record) {
        return SqlRecord.of(record).dataType();
    }
}
