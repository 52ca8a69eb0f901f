package io.factstream.domain.shared;

import java.util.List;

import io.factstream.catalog.Address;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.Role;

/** Small checks that several deciders share; each returns a problem to report, or null when all is well. */
public final class Checks {

    public static final int MAX_LINES = 20;
    public static final int MAX_QUANTITY = 10;

    private Checks() {
    }

    public static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    /** Whether the sender acts as the platform (a saga) rather than as a person. */
    public static boolean actsAsSystem(CommandEnvelope command) {
        return command.getRoles().contains(Role.SYSTEM.name());
    }

    /** A problem with an address: a blank street, city or postal code. */
    public static String addressProblem(Address address) {
        if (isBlank(address.getStreet()) || isBlank(address.getCity()) || isBlank(address.getPostalCode())) {
            return "the address needs a street, a city and a postal code";
        }
        return null;
    }

    /** A problem with the number of lines or a line's quantity. */
    public static String linesProblem(List<OrderLine> lines) {
        if (lines.isEmpty() || lines.size() > MAX_LINES) {
            return "an order has 1 to " + MAX_LINES + " lines, not " + lines.size();
        }
        for (OrderLine line : lines) {
            if (line.getQuantity() < 1 || line.getQuantity() > MAX_QUANTITY) {
                return "a line's quantity is 1 to " + MAX_QUANTITY + ", not " + line.getQuantity() + " ("
                        + line.getPizza() + ")";
            }
        }
        return null;
    }
}
