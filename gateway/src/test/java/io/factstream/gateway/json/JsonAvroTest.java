package io.factstream.gateway.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.catalog.wire.AvroJson;
import io.factstream.gateway.api.Json;
import io.factstream.views.KitchenQueueRow;

class JsonAvroTest {

    private static final String PLACE_ORDER = """
            {"customerId": "customer-1",
             "lines": [{"pizza": "MARGHERITA", "size": "LARGE", "quantity": 2}],
             "deliveryAddress": {"street": "1 Main Street", "city": "Brussels", "postalCode": "1000"},
             "deliveryInstructions": "ring twice"}""";

    @Test
    void readsACommandAsTheGeneratedRecord() throws Exception {
        PlaceOrder order = JsonAvro.toRecord(json(PLACE_ORDER), PlaceOrder.getClassSchema());

        assertThat(order.getCustomerId()).isEqualTo("customer-1");
        assertThat(order.getLines().get(0).getSize()).isEqualTo(PizzaSize.LARGE);
        assertThat(order.getLines().get(0).getQuantity()).isEqualTo(2);
        assertThat(order.getDeliveryInstructions()).isEqualTo("ring twice");
    }

    @Test
    void readsBackWhatAvroJsonPrints() throws Exception {
        PlaceOrder order = JsonAvro.toRecord(json(PLACE_ORDER), PlaceOrder.getClassSchema());
        KitchenQueueRow row = new KitchenQueueRow("t-1", "WAITING", order.getLines(),
                Instant.parse("2026-12-01T12:00:00Z"), null, null);

        assertThat((PlaceOrder) JsonAvro.toRecord(json(AvroJson.of(order)), PlaceOrder.getClassSchema()))
                .isEqualTo(order);
        assertThat((KitchenQueueRow) JsonAvro.toRecord(json(AvroJson.of(row)), KitchenQueueRow.getClassSchema()))
                .isEqualTo(row);
    }

    @Test
    void anOptionalFieldMayBeLeftOutOrNull() throws Exception {
        CancelOrder cancel = JsonAvro.toRecord(json("{\"reason\": \"CUSTOMER_REQUEST\"}"),
                CancelOrder.getClassSchema());

        assertThat(cancel.getComment()).isNull();
    }

    @Test
    void namesTheFieldOfEveryMistake() {
        assertProblem(PLACE_ORDER.replace("\"quantity\": 2", "\"quantity\": 2.5"), "PlaceOrder.lines[0].quantity",
                "whole number");
        assertProblem(PLACE_ORDER.replace("\"quantity\": 2", "\"quantity\": 4294967296"),
                "PlaceOrder.lines[0].quantity", "32 bits");
        assertProblem(PLACE_ORDER.replace("LARGE", "XL"), "PlaceOrder.lines[0].size", "SMALL, MEDIUM, LARGE");
        assertProblem(PLACE_ORDER.replace("\"city\": \"Brussels\", ", ""), "PlaceOrder.deliveryAddress.city",
                "missing");
        assertProblem(PLACE_ORDER.replace("\"customerId\"", "\"customer\""), "PlaceOrder.customer", "no field");
        assertProblem(PLACE_ORDER.replace("\"customer-1\"", "null"), "PlaceOrder.customerId", "a string");
        assertProblem(PLACE_ORDER.replace("[{", "{").replace("}],", "},"), "PlaceOrder.lines", "an array");
        assertProblem("[]", "PlaceOrder", "an object");
    }

    private static void assertProblem(String body, String path, String problem) {
        assertThatThrownBy(() -> JsonAvro.toRecord(json(body), PlaceOrder.getClassSchema()))
                .isInstanceOf(JsonAvroException.class)
                .satisfies(e -> assertThat(((JsonAvroException) e).path()).isEqualTo(path))
                .hasMessageContaining(problem);
    }

    private static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text);
    }
}
