package io.factstream.catalog.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.factstream.log.DeadLetter;
import io.factstream.state.AggregateSnapshot;
import io.factstream.state.Authorization;
import io.factstream.state.AuthorizationStatus;
import io.factstream.state.WalletState;

/** Avro data as plain JSON: field order, unions as their value, sorted map keys, escaped strings. */
class AvroJsonTest {

    @Test
    void printsRecordsInFieldOrderWithUnionsAsTheirValueAndMapsSorted() {
        Map<String, Authorization> authorizations = new LinkedHashMap<>();
        authorizations.put("order-2", new Authorization(300L, AuthorizationStatus.HELD));
        authorizations.put("order-1", new Authorization(200L, AuthorizationStatus.CAPTURED));
        AggregateSnapshot snapshot = new AggregateSnapshot(3L, List.of("c-1", "say \"hi\"\n"),
                new WalletState(1_000L, 300L, 700L, authorizations));

        assertThat(AvroJson.of(snapshot)).isEqualTo("{\"version\": 3, \"recentCommandIds\": [\"c-1\", "
                + "\"say \\\"hi\\\"\\n\"], \"state\": {\"balanceCents\": 1000, \"heldCents\": 300, "
                + "\"availableCents\": 700, \"authorizations\": {\"order-1\": {\"amountCents\": 200, "
                + "\"status\": \"CAPTURED\"}, \"order-2\": {\"amountCents\": 300, \"status\": \"HELD\"}}}}");
        assertThat(AvroJson.of(new AggregateSnapshot(3L, List.of("c-1", "say \"hi\"\n"),
                new WalletState(1_000L, 300L, 700L, new HashMap<>(authorizations)))))
                .as("equal data prints equal").isEqualTo(AvroJson.of(snapshot));
    }

    @Test
    void printsNullsAndBytes() {
        DeadLetter letter = DeadLetter.newBuilder().setSourceTopic("t").setSourcePartition(0).setSourceOffset(1)
                .setSourceTimestamp(java.time.Instant.parse("2026-11-26T12:00:00Z")).setKey(null)
                .setValue(ByteBuffer.wrap(new byte[] {1, 2})).setReason("r").setErrorType("e").build();

        assertThat(AvroJson.of(letter)).contains("\"sourceTimestamp\": \"2026-11-26T12:00:00Z\"", "\"key\": null",
                "\"value\": \"AQI=\"");
    }
}
