package io.factstream.jobs.io;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of a stream of generated Avro records between operators, serialized by {@link AvroRecordSerializer}. Not
 * for keyed state, which keeps Flink's {@code AvroTypeInfo}.
 *
 * @param <T> the generated record class
 */
public final class AvroRecordTypeInfo<T extends SpecificRecord> extends TypeInformation<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;

    public AvroRecordTypeInfo(Class<T> type) {
        this.type = type;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return new AvroRecordSerializer<>(type);
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public String toString() {
        return "AvroRecord<" + type.getName() + ">";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AvroRecordTypeInfo<?> that && that.canEqual(this) && that.type.equals(type);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public boolean canEqual(Object other) {
        return other instanceof AvroRecordTypeInfo;
    }
}
