package io.factstream.catalog;

/**
 * The roles a command's sender can hold, as stamped into {@link CommandEnvelope#getRoles()} by whoever
 * authenticated them. The catalog names, for every command type, the roles allowed to send it.
 */
public enum Role {
    CUSTOMER("A customer ordering pizza; acts only on their own orders and wallet."),
    KITCHEN_STAFF("A cook working the kitchen's queue."),
    COURIER("A courier carrying orders to customers."),
    SUPPORT("Support staff handling complaints, e.g. with refunds."),
    SYSTEM("The platform itself: sagas send their commands with this role.");

    private final String description;

    Role(String description) {
        this.description = description;
    }

    /** Who holds the role, for people. */
    public String description() {
        return description;
    }
}
