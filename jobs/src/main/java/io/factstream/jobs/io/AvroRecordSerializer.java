package io.factstream.jobs.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import io.factstream.catalog.wire.FastReadingModel;

/**
 * Serializes a generated Avro record between the operators of a job: its Avro binary body, length first, encoded
 * and decoded in a buffer of its own (Avro's decoder on a byte array, and its fast reader) rather than a byte at a
 * time through Flink's data views, as Flink's {@code AvroSerializer} does. The writer's and the reader's schema are
 * always the same class's, so nothing is resolved. Each instance keeps its buffers, so {@link #duplicate} makes a
 * new one for every thread.
 *
 * <p>For records on the wire between operators only: keyed state keeps Flink's {@code AvroSerializer}, which
 * savepoints name and migrate.
 *
 * @param <T> the generated record class
 */
public final class AvroRecordSerializer<T extends SpecificRecord> extends TypeSerializer<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private transient Schema schema;
    private transient SpecificData model;
    private transient SpecificDatumWriter<T> writer;
    private transient SpecificDatumReader<T> reader;
    private transient Buffer buffer;
    private transient BinaryEncoder encoder;
    private transient BinaryDecoder decoder;
    private transient byte[] body;

    public AvroRecordSerializer(Class<T> type) {
        this.type = type;
    }

    private void initialize() {
        if (model != null) {
            return;
        }
        model = FastReadingModel.of(type);
        schema = SpecificData.getForClass(type).getSchema(type);
        writer = new SpecificDatumWriter<>(schema, model);
        reader = new SpecificDatumReader<>(schema, schema, model);
        buffer = new Buffer();
        body = new byte[1024];
    }

    @Override
    public void serialize(T record, DataOutputView target) throws IOException {
        initialize();
        buffer.reset();
        encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
        writer.write(record, encoder);
        target.writeInt(buffer.size());
        target.write(buffer.bytes(), 0, buffer.size());
    }

    @Override
    public T deserialize(DataInputView source) throws IOException {
        return deserialize(null, source);
    }

    /** A new record whatever {@code reuse} is: an operator may hold on to the last one (in heap state, say). */
    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        initialize();
        int length = source.readInt();
        if (body.length < length) {
            body = new byte[Math.max(length, body.length * 2)];
        }
        source.readFully(body, 0, length);
        decoder = DecoderFactory.get().binaryDecoder(body, 0, length, decoder);
        return reader.read(null, decoder);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int length = source.readInt();
        target.writeInt(length);
        target.write(source, length);
    }

    @Override
    public T copy(T from) {
        initialize();
        return model.deepCopy(schema, from);
    }

    @Override
    public T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public T createInstance() {
        initialize();
        @SuppressWarnings("unchecked")
        T instance = (T) model.newRecord(null, schema);
        return instance;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return new AvroRecordSerializer<>(type);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AvroRecordSerializer<?> that && that.type.equals(type);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<T> snapshotConfiguration() {
        return new Snapshot<>(type);
    }

    /** An output buffer whose bytes are written out without a copy. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(1024);
        }

        byte[] bytes() {
            return buf;
        }
    }

    /** The serializer's class and record class; compatible as it is with a serializer of the same record class. */
    public static final class Snapshot<T extends SpecificRecord> implements TypeSerializerSnapshot<T> {

        private Class<T> type;

        /** For Flink, which reads the record class with {@link #readSnapshot}. */
        public Snapshot() {
        }

        Snapshot(Class<T> type) {
            this.type = type;
        }

        @Override
        public int getCurrentVersion() {
            return 1;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeUTF(type.getName());
        }

        @Override
        public void readSnapshot(int version, DataInputView in, ClassLoader classLoader) throws IOException {
            String name = in.readUTF();
            try {
                @SuppressWarnings("unchecked")
                Class<T> restored = (Class<T>) Class.forName(name, false, classLoader);
                type = restored;
            } catch (ClassNotFoundException e) {
                throw new IOException("the record class " + name + " of a serializer snapshot is missing", e);
            }
        }

        @Override
        public TypeSerializer<T> restoreSerializer() {
            return new AvroRecordSerializer<>(type);
        }

        @Override
        public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
            return old instanceof Snapshot<T> that && that.type.equals(type)
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
