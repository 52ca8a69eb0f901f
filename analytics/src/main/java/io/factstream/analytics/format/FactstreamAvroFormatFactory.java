package io.factstream.analytics.format;

import java.util.List;
import java.util.Set;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The Flink SQL format {@value #IDENTIFIER}: values in the catalog's Avro single-object encoding, as factstream's
 * jobs write them, read as rows of the record type named by {@code 'factstream-avro.record'} (an envelope, a
 * rejection, any record of the catalog) in its {@link SqlRecord} shape. Registered as a table factory service:
 *
 * <pre>{@code
 * 'format' = 'factstream-avro',
 * 'factstream-avro.record' = 'io.factstream.catalog.EventEnvelope',
 * 'factstream-avro.ignore-parse-errors' = 'false'
 * }</pre>
 */
public final class FactstreamAvroFormatFactory implements DeserializationFormatFactory {

    public static final String IDENTIFIER = "factstream-avro";

    public static final ConfigOption<String> RECORD = ConfigOptions.key("record").stringType().noDefaultValue()
            .withDescription("The full name of the catalog's record type the values are, e.g. "
                    + "io.factstream.catalog.EventEnvelope.");

    public static final ConfigOption<Boolean> IGNORE_PARSE_ERRORS = ConfigOptions.key("ignore-parse-errors")
            .booleanType().defaultValue(false)
            .withDescription("Skip a value that does not decode instead of failing the query with its reason.");

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(RECORD);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(IGNORE_PARSE_ERRORS);
    }

    @Override
    public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(DynamicTableFactory.Context context,
                                                                               ReadableConfig options) {
        FactoryUtil.validateFactoryOptions(this, options);
        Class<? extends SpecificRecord> type = recordType(options.get(RECORD));
        SqlRecord shape = SqlRecord.of(type);
        boolean ignoreParseErrors = options.get(IGNORE_PARSE_ERRORS);
        return new DecodingFormat<>() {
            @Override
            public DeserializationSchema<RowData> createRuntimeDecoder(DynamicTableSource.Context source,
                                                                       DataType physicalType) {
                RowType rowType = (RowType) physicalType.getLogicalType();
                List<String> known = shape.schema().getFields().stream().map(field -> field.name()).toList();
                for (String column : rowType.getFieldNames()) {
                    if (!known.contains(column)) {
                        throw new ValidationException("column '" + column + "' is no field of "
                                + type.getSimpleName() + " in SQL; its columns are " + known);
                    }
                }
                return new CatalogRowDeserializer(type, shape, rowType, source.createTypeInformation(physicalType),
                        ignoreParseErrors);
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    /** The catalog's record class of this name. */
    static Class<? extends SpecificRecord> recordType(String name) {
        try {
            Class<?> type = Class.forName(name, true, FactstreamAvroFormatFactory.class.getClassLoader());
            if (!SpecificRecord.class.isAssignableFrom(type)) {
                throw new ValidationException("'" + IDENTIFIER + ".record' = '" + name + "' is no Avro record");
            }
            return type.asSubclass(SpecificRecord.class);
        } catch (ClassNotFoundException e) {
            throw new ValidationException("'" + IDENTIFIER + ".record' = '" + name + "' is no record of the "
                    + "catalog, e.g. io.factstream.catalog.EventEnvelope", e);
        }
    }
}
