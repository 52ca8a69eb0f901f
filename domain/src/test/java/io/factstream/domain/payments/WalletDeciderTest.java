package io.factstream.domain.payments;

import static io.factstream.catalog.RejectionReason.BUSINESS_RULE_VIOLATION;
import static io.factstream.catalog.RejectionReason.INVALID_COMMAND;
import static io.factstream.catalog.RejectionReason.UNAUTHORIZED;
import static io.factstream.catalog.RejectionReason.UNKNOWN_AGGREGATE;
import static io.factstream.kernel.aggregate.Sender.customer;
import static io.factstream.kernel.aggregate.Sender.saga;
import static io.factstream.kernel.aggregate.Sender.support;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.payments.AuthorizePayment;
import io.factstream.catalog.payments.CapturePayment;
import io.factstream.catalog.payments.OpenWallet;
import io.factstream.catalog.payments.PaymentCaptured;
import io.factstream.catalog.payments.PaymentDeclined;
import io.factstream.catalog.payments.PaymentRefunded;
import io.factstream.catalog.payments.PaymentReleased;
import io.factstream.catalog.payments.RefundPayment;
import io.factstream.catalog.payments.ReleasePayment;
import io.factstream.catalog.payments.TopUpWallet;
import io.factstream.catalog.payments.WalletOpened;
import io.factstream.catalog.payments.WalletToppedUp;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.aggregate.DeciderFixture;
import io.factstream.state.AuthorizationStatus;
import io.factstream.state.WalletState;

class WalletDeciderTest {

    static final WalletOpened OPENED = new WalletOpened("ada");
    static final WalletToppedUp TOPPED_UP = new WalletToppedUp(5000L, 5000L);
    static final PaymentAuthorized AUTHORIZED =
            new PaymentAuthorized("order-1", Menu.amount(3900L), Menu.amount(1100L));
    static final PaymentCaptured CAPTURED = new PaymentCaptured("order-1", 3900L, 1100L);

    private final DeciderFixture<WalletState> wallet = DeciderFixture.of(new WalletDecider(), "ada");

    @Nested
    class OpenWalletCommand {

        @Test
        void opensTheCustomersOwnWallet() {
            wallet.given().when(customer("ada").sends(new OpenWallet())).thenEvents(OPENED)
                    .thenState(state -> assertThat(state.getBalanceCents()).isZero());
        }

        @Test
        void isOnlyForTheCustomerThemselves() {
            wallet.given().when(customer("bob").sends(new OpenWallet()))
                    .thenRejected(UNAUTHORIZED, "user bob cannot open the wallet of customer ada");
            wallet.given().when(saga().sends(new OpenWallet())).thenRejected(UNAUTHORIZED, "needs one of the roles");
        }

        @Test
        void opensOnce() {
            wallet.given(OPENED).when(customer("ada").sends(new OpenWallet()))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "wallet ada is already open");
        }
    }

    @Nested
    class TopUpWalletCommand {

        @Test
        void addsMoney() {
            wallet.given(OPENED, TOPPED_UP).when(customer("ada").sends(new TopUpWallet(2500L)))
                    .thenEvents(new WalletToppedUp(2500L, 7500L));
        }

        @Test
        void needsAPositiveBoundedAmount() {
            wallet.given(OPENED).when(customer("ada").sends(new TopUpWallet(0L)))
                    .thenRejected(INVALID_COMMAND, "a top-up is 1 to 50000 cents, not 0");
            wallet.given(OPENED).when(customer("ada").sends(new TopUpWallet(50_001L)))
                    .thenRejected(INVALID_COMMAND, "a top-up is 1 to 50000 cents, not 50001");
        }

        @Test
        void keepsTheBalanceUnderTheLimit() {
            SpecificRecord[] history = new SpecificRecord[11];
            history[0] = OPENED;
            for (int i = 1; i <= 10; i++) {
                history[i] = new WalletToppedUp(48_000L, i * 48_000L);
            }
            wallet.given(history)
                    .when(customer("ada").sends(new TopUpWallet(20_001L)))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "the balance would be 500001 cents");
        }

        @Test
        void isOnlyForTheWalletsCustomerAndAnOpenWallet() {
            wallet.given(OPENED).when(customer("bob").sends(new TopUpWallet(100L)))
                    .thenRejected(UNAUTHORIZED, "user bob cannot top up the wallet of customer ada");
            wallet.given().when(customer("ada").sends(new TopUpWallet(100L)))
                    .thenRejected(UNKNOWN_AGGREGATE, "there is no wallet ada");
        }
    }

    @Nested
    class AuthorizePaymentCommand {

        @Test
        void holdsMoneyTheWalletHas() {
            wallet.given(OPENED, TOPPED_UP).when(saga().sends(new AuthorizePayment("order-1", 3900L)))
                    .thenEvents(AUTHORIZED)
                    .thenState(state -> {
                        assertThat(state.getHeldCents()).isEqualTo(3900L);
                        assertThat(state.getAvailableCents()).isEqualTo(1100L);
                        assertThat(state.getAuthorizations().get("order-1").getStatus())
                                .isEqualTo(AuthorizationStatus.HELD);
                    });
        }

        @Test
        void declinesMoreThanTheAvailableBalanceWithAnEvent() {
            wallet.given(OPENED, TOPPED_UP, AUTHORIZED).when(saga().sends(new AuthorizePayment("order-2", 1200L)))
                    .thenEvents(new PaymentDeclined("order-2", 1200L, 1100L,
                            "insufficient funds: 1200 cents asked, 1100 available"));
        }

        @Test
        void authorizesAnOrderOnce() {
            wallet.given(OPENED, TOPPED_UP, AUTHORIZED).when(saga().sends(new AuthorizePayment("order-1", 100L)))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "order order-1 already has an authorization");
        }

        @Test
        void needsAnOrderAndAPositiveAmount() {
            wallet.given(OPENED, TOPPED_UP).when(saga().sends(new AuthorizePayment("order-1", 0L)))
                    .thenRejected(INVALID_COMMAND, "positive amount, not 0 cents");
            wallet.given(OPENED, TOPPED_UP).when(saga().sends(new AuthorizePayment("", 10L)))
                    .thenRejected(INVALID_COMMAND, "needs an order id");
        }

        @Test
        void isOnlyForTheSystem() {
            wallet.given(OPENED, TOPPED_UP).when(customer("ada").sends(new AuthorizePayment("order-1", 10L)))
                    .thenRejected(UNAUTHORIZED, "AuthorizePayment needs one of the roles [SYSTEM]");
        }
    }

    @Nested
    class CapturePaymentCommand {

        @Test
        void takesTheHeldMoney() {
            wallet.given(OPENED, TOPPED_UP, AUTHORIZED).when(saga().sends(new CapturePayment("order-1")))
                    .thenEvents(CAPTURED)
                    .thenState(state -> {
                        assertThat(state.getBalanceCents()).isEqualTo(1100L);
                        assertThat(state.getHeldCents()).isZero();
                        assertThat(state.getAvailableCents()).isEqualTo(1100L);
                    });
        }

        @Test
        void capturesOnlyAHeldAuthorization() {
            wallet.given(OPENED, TOPPED_UP).when(saga().sends(new CapturePayment("order-1")))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "order order-1 has no authorization on this wallet");
            wallet.given(OPENED, TOPPED_UP, AUTHORIZED, CAPTURED).when(saga().sends(new CapturePayment("order-1")))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "is CAPTURED and cannot be captured");
        }
    }

    @Nested
    class ReleasePaymentCommand {

        @Test
        void makesTheHeldMoneyAvailableAgain() {
            wallet.given(OPENED, TOPPED_UP, AUTHORIZED).when(saga().sends(new ReleasePayment("order-1")))
                    .thenEvents(new PaymentReleased("order-1", 3900L, 5000L))
                    .thenState(state -> assertThat(state.getBalanceCents()).isEqualTo(5000L));
        }

        @Test
        void releasesOnlyAHeldAuthorization() {
            wallet.given(OPENED, TOPPED_UP, AUTHORIZED, new PaymentReleased("order-1", 3900L, 5000L))
                    .when(saga().sends(new ReleasePayment("order-1")))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "is RELEASED and cannot be released");
        }
    }

    @Nested
    class RefundPaymentCommand {

        @Test
        void paysACapturedOrderBack() {
            wallet.given(OPENED, TOPPED_UP, AUTHORIZED, CAPTURED)
                    .when(support("sam").sends(new RefundPayment("order-1", "cold pizza")))
                    .thenEvents(new PaymentRefunded("order-1", 3900L, 5000L, "cold pizza"));
        }

        @Test
        void refundsOnlyCapturedPaymentsOnce() {
            wallet.given(OPENED, TOPPED_UP, AUTHORIZED).when(support("sam").sends(new RefundPayment("order-1", "x")))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "no captured payment to refund (HELD)");
            wallet.given(OPENED, TOPPED_UP, AUTHORIZED, CAPTURED,
                            new PaymentRefunded("order-1", 3900L, 5000L, "cold"))
                    .when(saga().sends(new RefundPayment("order-1", "again")))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "(REFUNDED)");
        }

        @Test
        void needsAReasonAndSupportOrTheSystem() {
            wallet.given(OPENED, TOPPED_UP, AUTHORIZED, CAPTURED)
                    .when(support("sam").sends(new RefundPayment("order-1", " ")))
                    .thenRejected(INVALID_COMMAND, "a refund needs a reason");
            wallet.given(OPENED, TOPPED_UP, AUTHORIZED, CAPTURED)
                    .when(customer("ada").sends(new RefundPayment("order-1", "please")))
                    .thenRejected(UNAUTHORIZED, "needs one of the roles [SUPPORT, SYSTEM]");
        }
    }
}
