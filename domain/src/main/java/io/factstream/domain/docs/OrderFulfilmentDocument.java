package io.factstream.domain.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.factstream.domain.fulfilment.OrderFulfilment;

/**
 * Renders {@code docs/order-fulfilment-saga.md} from the saga's transition table: the table and a Mermaid
 * diagram. {@code main(path)} writes it; a test fails when the committed file differs.
 */
public final class OrderFulfilmentDocument {

    /** Where the document lives, relative to the repository root. */
    public static final String PATH = "docs/order-fulfilment-saga.md";

    private OrderFulfilmentDocument() {
    }

    public static void main(String[] args) throws IOException {
        Path path = Path.of(args.length > 0 ? args[0] : PATH);
        Files.createDirectories(path.toAbsolutePath().getParent());
        Files.writeString(path, render(new OrderFulfilment(OrderFulfilment.Timeouts.standard())),
                StandardCharsets.UTF_8);
        System.out.println("wrote " + path);
    }

    /** The document for a saga definition. */
    public static String render(OrderFulfilment saga) {
        return """
                # The order-fulfilment saga

                Generated from `OrderFulfilment`'s transition table by `OrderFulfilmentDocument`; do not edit.
                Regenerate with `mvn -q -pl domain -am process-classes -Pdocs` (a test fails when this file is out of date).

                One saga per order, keyed by the order id (the correlation id of everything about the order). It starts
                on `OrderPlaced` and drives the order through payments, kitchen and delivery to completion, or
                compensates. Its commands carry the `SYSTEM` role, the order id as correlation id, the causing event as
                causation id, and an id made from the saga's name, the order id and the step, so that a step run again
                sends a command the aggregate recognises as a duplicate.

                ## Versions

                This is version %d of the definition, the one new sagas start under; each saga records the version it
                started under and runs under it until it ends, so that a change of the process (a step added, a
                state removed) never hands a saga in flight to transitions it was not planned for. A later version
                keeps running the earlier ones for the sagas that started under them (see the README, "Changing a
                saga: definition versions").

                ## Time

                The saga handles its inputs in business-time order (`creationTimestamp`; a timeout at its deadline),
                each once the watermark has passed it. After a step sends commands, it first waits for their answers
                (each command's event or rejection) and handles them in the order sent. Timeouts are deadlines in the
                saga's state. A clock keeps the watermark moving when no event arrives, so timeouts fire live; a replay
                or backfill sees the same inputs in the same order and sends the same commands. The standard durations
                below are set per job (`--kitchen-timeout`, `--delivery-timeout`).

                ## Transitions

                An input with no row for the saga's phase changes nothing. The closing phases (%s) end the saga once
                the answers to their commands are in; a finished saga keeps no state and no timers.

                %s
                ## Diagram

                ```mermaid
                %s```
                """.formatted(saga.version(),
                String.join(", ", OrderFulfilment.CLOSING.stream().map(Enum::name).sorted().toList()),
                saga.table().markdownTable(), saga.table().mermaidDiagram(OrderFulfilment.CLOSING));
    }
}
