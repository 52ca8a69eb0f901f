package io.factstream.kernel.aggregate;

import java.util.List;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.Role;

/**
 * Who sends a command in a test, with their roles: {@code customer("c1").sends(new PlaceOrder(...))}.
 *
 * @param userId the sender's id
 * @param roles  the roles stamped on the sender's commands
 */
public record Sender(String userId, List<Role> roles) {

    public static Sender customer(String customerId) {
        return new Sender(customerId, List.of(Role.CUSTOMER));
    }

    public static Sender cook(String staffId) {
        return new Sender(staffId, List.of(Role.KITCHEN_STAFF));
    }

    public static Sender courier(String courierId) {
        return new Sender(courierId, List.of(Role.COURIER));
    }

    public static Sender support(String staffId) {
        return new Sender(staffId, List.of(Role.SUPPORT));
    }

    /** The order-fulfilment saga, acting as the platform. */
    public static Sender saga() {
        return new Sender("order-fulfilment", List.of(Role.SYSTEM));
    }

    /** A command from this sender to the fixture's aggregate. */
    public TestCommand sends(SpecificRecord commandData) {
        return new TestCommand(this, commandData, null);
    }

    /**
     * A command of a test, completed into an envelope by the fixture (subject, ids, timestamp).
     *
     * @param expectedVersion the version the sender expects, or null
     */
    public record TestCommand(Sender sender, SpecificRecord data, Long expectedVersion) {

        /** The same command, sent with an expected version. */
        public TestCommand expectingVersion(long version) {
            return new TestCommand(sender, data, version);
        }
    }
}
