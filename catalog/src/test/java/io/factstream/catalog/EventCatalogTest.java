package io.factstream.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class EventCatalogTest {

    private final EventCatalog catalog = EventCatalog.get();

    @Test
    void holdsEveryBranchOfTheEnvelopeUnionsAndEverySupersededEventAsAVersionOfItsType() {
        assertThat(catalog.commandTypes()).extracting(CommandType::name).containsExactlyElementsOf(
                CommandEnvelope.getClassSchema().getField("commandData").schema().getTypes().stream()
                        .map(Schema::getName).toList());
        var events = EventEnvelope.getClassSchema().getField("eventData").schema().getTypes();
        assertThat(catalog.eventTypes()).extracting(EventType::schema).containsExactlyElementsOf(events.stream()
                .filter(branch -> branch.getProp(EventCatalog.SUPERSEDED_BY) == null).toList());
        assertThat(catalog.eventTypes().stream().flatMap(type -> type.superseded().stream())).containsExactlyElementsOf(
                events.stream().filter(branch -> branch.getProp(EventCatalog.SUPERSEDED_BY) != null).toList());
    }

    @Test
    void anEventTypeKeepsTheVersionsItSupersedesWhoseRecordsTheEventStoreHolds() {
        EventType authorized = catalog.eventType("PaymentAuthorized");

        assertThat(authorized.schema().getFullName()).isEqualTo("io.factstream.catalog.payments.v2.PaymentAuthorized");
        assertThat(authorized.version()).isEqualTo(2);
        assertThat(authorized.superseded()).extracting(Schema::getFullName)
                .containsExactly("io.factstream.catalog.payments.PaymentAuthorized");
        assertThat(catalog.eventType("OrderPlaced").superseded()).as("Avro resolves its version 1").isEmpty();
    }

    @Test
    void aSupersededEventMustNameALaterVersionOfItself() {
        Schema events = envelope("eventData", """
                {"type": "record", "name": "ThingHappened", "namespace": "test", "doc": "A thing happened.",
                 "context": "orders", "aggregate": "Order", "version": 1, "publishedWhen": "always",
                 "subscribers": [], "fields": []},
                {"type": "record", "name": "ThingHappened", "namespace": "test.old", "doc": "A thing happened.",
                 "context": "orders", "aggregate": "Order", "version": 1, "publishedWhen": "always",
                 "supersededBy": "test.ThingHappened", "subscribers": [], "fields": []}""");
        Schema commands = envelope("commandData", """
                {"type": "record", "name": "DoThing", "namespace": "test", "doc": "Does a thing.",
                 "context": "orders", "aggregate": "Order", "allowedRoles": ["SYSTEM"], "sentBy": "someone",
                 "rules": [], "produces": ["ThingHappened"], "fields": []}""");

        assertThatThrownBy(() -> EventCatalog.load(commands, events)).hasMessage("catalog record "
                + "test.old.ThingHappened is superseded by test.ThingHappened, which must be the same event (name and "
                + "context) at a higher version");
    }

    @Test
    void everyContextHasCommandsAndEvents() {
        for (BoundedContext context : BoundedContext.values()) {
            assertThat(catalog.commandTypes(context)).as(context.id()).isNotEmpty();
            assertThat(catalog.eventTypes(context)).as(context.id()).isNotEmpty();
        }
    }

    @Test
    void answersTheCatalogQuestionsForAnEvent() {
        EventType placed = catalog.eventType("OrderPlaced");

        assertThat(placed.aggregateType()).isEqualTo("Order");
        assertThat(placed.topic()).isEqualTo("orders.events");
        assertThat(placed.version()).isEqualTo(2);
        assertThat(placed.publishedWhen()).contains("PlaceOrder");
        assertThat(placed.subscribers()).anyMatch(s -> s.startsWith("order-fulfilment saga"));
        assertThat(catalog.producersOf("OrderPlaced")).extracting(CommandType::name).containsExactly("PlaceOrder");
    }

    @Test
    void namesTheRolesAllowedToSendACommand() {
        assertThat(catalog.commandType("PlaceOrder").allowedRoles()).containsExactly(Role.CUSTOMER);
        assertThat(catalog.commandType("CancelOrder").allowedRoles())
                .containsExactlyInAnyOrder(Role.CUSTOMER, Role.SYSTEM);
        assertThat(catalog.commandType("RefundPayment").allowedRoles())
                .containsExactlyInAnyOrder(Role.SYSTEM, Role.SUPPORT);
    }

    @Test
    void unknownNamesFailWithTheName() {
        assertThatThrownBy(() -> catalog.commandType("OrderPizza"))
                .hasMessage("no command type 'OrderPizza' in the catalog");
        assertThatThrownBy(() -> catalog.eventType("PizzaOrdered"))
                .hasMessage("no event type 'PizzaOrdered' in the catalog");
    }

    @Test
    void aCommandWithoutAllowedRolesIsRefused() {
        Schema events = envelope("eventData", """
                {"type": "record", "name": "ThingHappened", "namespace": "test", "doc": "A thing happened.",
                 "context": "orders", "aggregate": "Order", "version": 1, "publishedWhen": "always",
                 "subscribers": [], "fields": []}""");
        Schema commands = envelope("commandData", """
                {"type": "record", "name": "DoThing", "namespace": "test", "doc": "Does a thing.",
                 "context": "orders", "aggregate": "Order", "sentBy": "someone", "rules": [],
                 "produces": ["ThingHappened"], "fields": []}""");

        assertThatThrownBy(() -> EventCatalog.load(commands, events))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("catalog record test.DoThing needs the property 'allowedRoles' as a list of strings");
    }

    @Test
    void anEventThatNoCommandProducesIsRefused() {
        Schema events = envelope("eventData", """
                {"type": "record", "name": "Orphan", "namespace": "test", "doc": "Nobody makes this.",
                 "context": "kitchen", "aggregate": "Ticket", "version": 1, "publishedWhen": "never",
                 "subscribers": [], "fields": []}""");
        Schema commands = envelope("commandData", """
                {"type": "record", "name": "Nothing", "namespace": "test", "doc": "Does nothing.",
                 "context": "kitchen", "aggregate": "Ticket", "allowedRoles": ["SYSTEM"], "sentBy": "someone",
                 "rules": [], "produces": [], "fields": []}""");

        assertThatThrownBy(() -> EventCatalog.load(commands, events))
                .hasMessage("catalog record test.Orphan is produced by no command");
    }

    private static Schema envelope(String field, String branch) {
        return new Schema.Parser().parse("""
                {"type": "record", "name": "Envelope", "namespace": "test", "fields": [
                  {"name": "%s", "type": [%s]}]}""".formatted(field, branch));
    }
}
