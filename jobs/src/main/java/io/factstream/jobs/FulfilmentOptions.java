package io.factstream.jobs;

import java.time.Duration;

import io.factstream.domain.fulfilment.OrderFulfilment;
import picocli.CommandLine.Option;

/** The order-fulfilment saga's own options: how long the kitchen and the delivery have. */
public final class FulfilmentOptions {

    @Option(names = "--kitchen-timeout", defaultValue = "PT20M",
            description = "Time the kitchen has from the ticket's opening (default: ${DEFAULT-VALUE}).")
    Duration kitchenTimeout;

    @Option(names = "--delivery-timeout", defaultValue = "PT45M",
            description = "Time the delivery has from its request (default: ${DEFAULT-VALUE}).")
    Duration deliveryTimeout;

    /** The saga's deadlines as the options give them. */
    public OrderFulfilment.Timeouts timeouts() {
        return new OrderFulfilment.Timeouts(kitchenTimeout, deliveryTimeout);
    }
}
