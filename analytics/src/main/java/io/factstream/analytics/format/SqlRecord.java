package io.factstream.analytics.format;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.formats.avro.typeutils.AvroSchemaConverter;
import org.apache.flink.table.types.DataType;

import io.factstream.catalog.EventCatalog;

/**
 * How a record of the catalog looks as a SQL row: its fields as columns, except that a field holding one of several
 * records (an envelope's {@code eventData} or {@code commandData}) becomes one nullable column per record type,
 * named by it ({@code OrderPlaced}, {@code PaymentAuthorized}, ...), set for the type the record holds. Superseded
 * versions of an event get no column: the codec lifts them to the current version before a row is made, so a query
 * sees every event in today's shape. The SQL types are Flink's for Avro ({@link AvroSchemaConverter}), instants as
 * {@code TIMESTAMP_LTZ(3)}.
 */
final class SqlRecord implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String schemaJson;
    private transient Schema flat;
    private transient Map<String, Integer> columnOfType;

    private SqlRecord(Schema flat) {
        this.schemaJson = flat.toString();
        this.flat = flat;
    }

    /** The row shape of a record type of the catalog. */
    static SqlRecord of(Class<? extends SpecificRecord> type) {
        Schema record = SpecificData.get().getSchema(type);
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : record.getFields()) {
            List<Schema> choices = recordChoices(field.schema());
            if (choices.size() < 2) {
                fields.add(new Schema.Field(field.name(), field.schema(), field.doc(), field.defaultVal()));
                continue;
            }
            for (Schema choice : choices) {
                fields.add(new Schema.Field(choice.getName(), Schema.createUnion(Schema.create(Schema.Type.NULL),
                        choice), choice.getDoc(), Schema.Field.NULL_DEFAULT_VALUE));
            }
        }
        return new SqlRecord(Schema.createRecord(record.getName() + "Row", record.getDoc(),
                record.getNamespace() + ".sql", false, fields));
    }

    /** The columns and their SQL types, in order. */
    DataType dataType() {
        return AvroSchemaConverter.convertToDataType(schemaJson, false);
    }

    /** The flat Avro schema the rows are made from. */
    Schema schema() {
        if (flat == null) {
            flat = new Schema.Parser().parse(schemaJson);
        }
        return flat;
    }

    /** The record's values in this shape: the held record in the column of its type, the others null. */
    GenericRecord flatten(SpecificRecord record) {
        Schema shape = schema();
        GenericRecord row = new GenericData.Record(shape);
        for (Schema.Field field : record.getSchema().getFields()) {
            Object value = record.get(field.pos());
            Schema.Field same = shape.getField(field.name());
            if (same != null) {
                row.put(same.pos(), value);
            } else if (value instanceof SpecificRecord held) {
                Integer column = columnsOfTypes().get(held.getSchema().getName());
                if (column == null) {
                    throw new IllegalArgumentException(field.name() + " holds a " + held.getSchema().getFullName()
                            + ", which has no column");
                }
                row.put(column, value);
            }
        }
        return row;
    }

    private Map<String, Integer> columnsOfTypes() {
        if (columnOfType == null) {
            Map<String, Integer> columns = new LinkedHashMap<>();
            schema().getFields().forEach(field -> columns.put(field.name(), field.pos()));
            columnOfType = columns;
        }
        return columnOfType;
    }

    /** The current record types a field may hold, when it is a union of records. */
    private static List<Schema> recordChoices(Schema schema) {
        List<Schema> records = new ArrayList<>();
        if (schema.getType() == Schema.Type.UNION) {
            for (Schema choice : schema.getTypes()) {
                if (choice.getType() == Schema.Type.RECORD && choice.getProp(EventCatalog.SUPERSEDED_BY) == null) {
                    records.add(choice);
                }
            }
        }
        return records;
    }
}
