package io.factstream.catalog.access;

/**
 * One permission of a principal on the cluster: an operation on a topic, a consumer group or a transactional id,
 * named literally or by a prefix, in Kafka's ACL terms. {@code READ} on a topic includes describing it, {@code WRITE}
 * on a transactional id includes idempotent writes (Kafka's implied operations).
 *
 * @param resource  what kind of resource the grant is on
 * @param name      the resource's name, or the start of the names it covers
 * @param prefixed  whether {@code name} is a prefix (Kafka's {@code PREFIXED} pattern) rather than a literal name
 * @param operation what the principal may do with it
 */
public record Grant(Resource resource, String name, boolean prefixed, Operation operation) {

    /** The kinds of resources the platform grants on. */
    public enum Resource { TOPIC, GROUP, TRANSACTIONAL_ID }

    /** The operations the platform grants. */
    public enum Operation { READ, WRITE }

    /** Reading a topic. */
    public static Grant read(String topic) {
        return new Grant(Resource.TOPIC, topic, false, Operation.READ);
    }

    /** Writing a topic. */
    public static Grant write(String topic) {
        return new Grant(Resource.TOPIC, topic, false, Operation.WRITE);
    }

    /** Joining, and committing the offsets of, the consumer groups whose names start so. */
    public static Grant groups(String prefix) {
        return new Grant(Resource.GROUP, prefix, true, Operation.READ);
    }

    /** Running transactions under the transactional ids that start so. */
    public static Grant transactions(String prefix) {
        return new Grant(Resource.TRANSACTIONAL_ID, prefix, true, Operation.WRITE);
    }

    @Override
    public String toString() {
        return operation + " " + resource.name().toLowerCase().replace('_', '-') + " " + name + (prefixed ? "*" : "");
    }
}
