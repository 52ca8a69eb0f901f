package io.factstream.kafka.dlq;

/** Names of the headers that a DLQ record carries, each a UTF-8 string. */
public final class DeadLetterHeaders {

    /** Why the record could not be read, in one line. */
    public static final String REASON = "factstream.dlq.reason";
    /** The class name of the decoding error, or a short code such as {@code NO_VALUE}. */
    public static final String ERROR_TYPE = "factstream.dlq.error-type";
    /** The topic the record was read from. */
    public static final String SOURCE_TOPIC = "factstream.dlq.source-topic";
    /** The partition the record was read from, in decimal. */
    public static final String SOURCE_PARTITION = "factstream.dlq.source-partition";
    /** The record's offset in that partition, in decimal. */
    public static final String SOURCE_OFFSET = "factstream.dlq.source-offset";
    /**
     * The job that could not read the record, by the name it reads under (e.g. {@code orders-aggregate},
     * {@code order-fulfilment-saga}, {@code views}): several jobs read one events topic, and each dead-letters
     * what it cannot read.
     */
    public static final String WRITER = "factstream.dlq.writer";

    private DeadLetterHeaders() {
    }
}
