package io.factstream.analytics.format;

import java.io.IOException;
import java.util.Objects;

import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.AvroToRowDataConverters;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;

/**
 * Reads a topic's values as SQL rows: single-object decoding with the catalog's codec (any writer schema the catalog
 * has recorded, superseded event versions lifted by their upcasters), then the record in its {@link SqlRecord}
 * shape. A value that does not decode fails the query with the reason and where it lies, or, with
 * {@code 'factstream-avro.ignore-parse-errors' = 'true'}, is skipped.
 */
final class CatalogRowDeserializer implements DeserializationSchema<RowData> {

    private static final long serialVersionUID = 1L;

    private final Class<? extends SpecificRecord> type;
    private final SqlRecord shape;
    private final RowType rowType;
    private final TypeInformation<RowData> producedType;
    private final boolean ignoreParseErrors;

    private transient SingleObjectCodec<? extends SpecificRecord> codec;
    private transient AvroToRowDataConverters.AvroToRowDataConverter converter;
    private transient int[] columns;

    CatalogRowDeserializer(Class<? extends SpecificRecord> type, SqlRecord shape, RowType rowType,
                           TypeInformation<RowData> producedType, boolean ignoreParseErrors) {
        this.type = type;
        this.shape = shape;
        this.rowType = rowType;
        this.producedType = producedType;
        this.ignoreParseErrors = ignoreParseErrors;
    }

    @Override
    public void open(InitializationContext context) {
        codec = SingleObjectCodec.forType(type);
        converter = AvroToRowDataConverters.createRowConverter(rowType, false);
        columns = rowType.getFieldNames().stream().mapToInt(name -> shape.schema().getField(name).pos()).toArray();
    }

    @Override
    public RowData deserialize(byte[] message) throws IOException {
        if (message == null) {
            return null; // a tombstone: no row
        }
        SpecificRecord record;
        try {
            record = codec.decode(message);
        } catch (UndecodableRecordException e) {
            if (ignoreParseErrors) {
                return null;
            }
            throw new IOException("a value is no " + type.getSimpleName() + " of the catalog (" + e.errorType()
                    + "): " + e.getMessage() + "; 'factstream-avro.ignore-parse-errors' = 'true' skips such values",
                    e);
        }
        return (RowData) converter.convert(new Projection(shape.flatten(record), columns));
    }

    /** The columns a table declares, in its order, of a record in its flat shape. */
    private record Projection(IndexedRecord row, int[] columns) implements IndexedRecord {
        @Override
        public Object get(int i) {
            return row.get(columns[i]);
        }

        @Override
        public void put(int i, Object value) {
            throw new UnsupportedOperationException("a projection is read only");
        }

        @Override
        public Schema getSchema() {
            return row.getSchema();
        }
    }

    @Override
    public boolean isEndOfStream(RowData nextElement) {
        return false;
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CatalogRowDeserializer that && type.equals(that.type) && rowType.equals(that.rowType)
                && ignoreParseErrors == that.ignoreParseErrors;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, rowType, ignoreParseErrors);
    }
}
