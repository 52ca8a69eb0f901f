package io.factstream.domain.payments;

import static io.factstream.kernel.view.ViewEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventUpcasters;
import io.factstream.catalog.Money;
import io.factstream.catalog.payments.PaymentAuthorized;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.domain.Views;
import io.factstream.kernel.view.ViewDefinition;
import io.factstream.views.OrderStatusRow;

class PaymentAuthorizedUpcasterTest {

    /** PaymentAuthorized as version 1 wrote it: amounts in integer cents. */
    private static final EventEnvelope VERSION_1 = EventEnvelope.newBuilder(
            event("ada", 7, 0, new PaymentAuthorized("order-1", 2600L, 400L))).setSchemaVersion(1).build();

    private static final io.factstream.catalog.payments.v2.PaymentAuthorized VERSION_2 =
            new io.factstream.catalog.payments.v2.PaymentAuthorized("order-1", new Money(2600L, "EUR"),
                    new Money(400L, "EUR"));

    @Test
    void theDomainsUpcastersLiftEverySupersededEventOfTheCatalogToItsCurrentVersion() {
        assertThat(EventUpcasters.discovered().missing(EventCatalog.get())).isEmpty();
        assertThat(EventUpcasters.of(List.of()).missing(EventCatalog.get())).containsExactly("PaymentAuthorized "
                + "version 1 (io.factstream.catalog.payments.PaymentAuthorized) has no upcaster towards version 2");
    }

    @Test
    void versionOneCentsBecomeAmountsInTheShopsCurrencyAndTheRestOfTheEventStaysAsItWas() {
        EventEnvelope lifted = EventUpcasters.discovered().upcast(VERSION_1);

        assertThat(lifted.getEventData()).isEqualTo(VERSION_2);
        assertThat(lifted.getSchemaVersion()).isEqualTo(2);
        assertThat(EventEnvelope.newBuilder(lifted).setEventData(VERSION_1.getEventData()).setSchemaVersion(1).build())
                .isEqualTo(VERSION_1);
    }

    @Test
    void aCurrentEventIsLeftAsItIs() {
        EventEnvelope current = event("ada", 7, 0, VERSION_2);

        assertThat(EventUpcasters.discovered().upcast(current)).isSameAs(current);
    }

    @Test
    void theCodecReadsAVersionOneEventAsVersionTwo() throws UndecodableRecordException {
        SingleObjectCodec<EventEnvelope> codec = SingleObjectCodec.forType(EventEnvelope.class);

        assertThat(codec.decode(codec.encode(VERSION_1))).isEqualTo(event("ada", 7, 0, VERSION_2));
    }

    @Test
    void aSupersededEventWithoutItsUpcasterFailsWithItsNameAndVersion() {
        assertThatThrownBy(() -> EventUpcasters.of(List.of()).upcast(VERSION_1)).hasMessage("PaymentAuthorized "
                + "version 1 (io.factstream.catalog.payments.PaymentAuthorized) has no upcaster on the class path");
    }

    @Test
    void aViewFoldsVersionOneAsItFoldsVersionTwo() {
        ViewDefinition<OrderStatusRow> view = Views.ORDER_STATUS;

        assertThat(view.fold(List.of(VERSION_1))).isEqualTo(view.fold(List.of(event("ada", 7, 0, VERSION_2))))
                .containsKey("order-1");
    }
}
