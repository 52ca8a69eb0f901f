package io.factstream.domain.payments;

import static io.factstream.kernel.aggregate.Decision.accept;
import static io.factstream.kernel.aggregate.Decision.invalid;
import static io.factstream.kernel.aggregate.Decision.refused;
import static io.factstream.kernel.aggregate.Decision.unauthorized;
import static io.factstream.kernel.aggregate.Decision.unknown;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongFunction;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
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
import io.factstream.domain.shared.Checks;
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.kernel.aggregate.Decision;
import io.factstream.state.Authorization;
import io.factstream.state.AuthorizationStatus;
import io.factstream.state.WalletState;

/**
 * The Wallet aggregate, one per customer (its id is the customer id): topped up by its customer, it holds money for
 * orders (authorizations) until the money is captured or released; captured money can be refunded. An
 * authorization the available balance cannot cover is declined with an event, a domain outcome the saga reacts
 * to, not a rejection.
 */
public final class WalletDecider implements Decider<WalletState> {

    public static final long MAX_TOP_UP_CENTS = 50_000;
    public static final long MAX_BALANCE_CENTS = 500_000;

    @Override
    public BoundedContext context() {
        return BoundedContext.PAYMENTS;
    }

    @Override
    public Decision decide(CommandEnvelope command, WalletState wallet) {
        Object data = command.getCommandData();
        String walletId = command.getSubjectId();
        if (data instanceof OpenWallet) {
            if (!walletId.equals(command.getUserId())) {
                return unauthorized("user %s cannot open the wallet of customer %s", command.getUserId(), walletId);
            }
            return wallet != null ? refused("wallet %s is already open", walletId) : accept(new WalletOpened(walletId));
        }
        if (wallet == null) {
            return unknown("there is no wallet %s", walletId);
        }
        if (data instanceof TopUpWallet topUp) {
            return topUp(command, topUp, wallet);
        }
        if (data instanceof AuthorizePayment authorize) {
            return authorize(authorize, wallet);
        }
        if (data instanceof CapturePayment capture) {
            return ifHeld(wallet, capture.getOrderId(), "captured", amount ->
                    new PaymentCaptured(capture.getOrderId(), amount, wallet.getBalanceCents() - amount));
        }
        if (data instanceof ReleasePayment release) {
            return ifHeld(wallet, release.getOrderId(), "released", amount ->
                    new PaymentReleased(release.getOrderId(), amount, available(wallet) + amount));
        }
        if (data instanceof RefundPayment refund) {
            return refund(refund, wallet);
        }
        throw new IllegalArgumentException("not a payments command: " + command.getCommandType());
    }

    private static Decision topUp(CommandEnvelope command, TopUpWallet topUp, WalletState wallet) {
        if (!command.getSubjectId().equals(command.getUserId())) {
            return unauthorized("user %s cannot top up the wallet of customer %s", command.getUserId(),
                    command.getSubjectId());
        }
        long amount = topUp.getAmountCents();
        if (amount < 1 || amount > MAX_TOP_UP_CENTS) {
            return invalid("a top-up is 1 to %d cents, not %d", MAX_TOP_UP_CENTS, amount);
        }
        if (wallet.getBalanceCents() + amount > MAX_BALANCE_CENTS) {
            return refused("the balance would be %d cents, above the limit of %d", wallet.getBalanceCents() + amount,
                    MAX_BALANCE_CENTS);
        }
        return accept(new WalletToppedUp(amount, wallet.getBalanceCents() + amount));
    }

    private static Decision authorize(AuthorizePayment authorize, WalletState wallet) {
        String orderId = authorize.getOrderId();
        long amount = authorize.getAmountCents();
        if (Checks.isBlank(orderId)) {
            return invalid("an authorization needs an order id");
        }
        if (amount < 1) {
            return invalid("an authorization is for a positive amount, not %d cents", amount);
        }
        if (wallet.getAuthorizations().containsKey(orderId)) {
            return refused("order %s already has an authorization on this wallet", orderId);
        }
        long available = available(wallet);
        if (amount > available) {
            return accept(new PaymentDeclined(orderId, amount, available,
                    "insufficient funds: " + amount + " cents asked, " + available + " available"));
        }
        return accept(new PaymentAuthorized(orderId, Menu.amount(amount), Menu.amount(available - amount)));
    }

    private static Decision refund(RefundPayment refund, WalletState wallet) {
        if (Checks.isBlank(refund.getReason())) {
            return invalid("a refund needs a reason");
        }
        Authorization authorization = wallet.getAuthorizations().get(refund.getOrderId());
        if (authorization == null || authorization.getStatus() != AuthorizationStatus.CAPTURED) {
            return refused("order %s has no captured payment to refund (%s)", refund.getOrderId(),
                    authorization == null ? "no authorization" : authorization.getStatus());
        }
        long amount = authorization.getAmountCents();
        return accept(new PaymentRefunded(refund.getOrderId(), amount, wallet.getBalanceCents() + amount,
                refund.getReason()));
    }

    /** Accepts the event made from the amount of a held authorization; refuses anything else. */
    private static Decision ifHeld(WalletState wallet, String orderId, String verb,
                                   LongFunction<SpecificRecord> event) {
        Authorization authorization = wallet.getAuthorizations().get(orderId);
        if (authorization == null) {
            return refused("order %s has no authorization on this wallet to be %s", orderId, verb);
        }
        if (authorization.getStatus() != AuthorizationStatus.HELD) {
            return refused("the authorization of order %s is %s and cannot be %s", orderId,
                    authorization.getStatus(), verb);
        }
        return accept(event.apply(authorization.getAmountCents()));
    }

    private static long available(WalletState wallet) {
        return wallet.getAvailableCents();
    }

    @Override
    public WalletState evolve(WalletState wallet, SpecificRecord event) {
        if (event instanceof WalletOpened) {
            return new WalletState(0L, 0L, 0L, new HashMap<>());
        }
        Map<String, Authorization> authorizations = new HashMap<>(wallet.getAuthorizations());
        long balance = wallet.getBalanceCents();
        long held = wallet.getHeldCents();
        if (event instanceof WalletToppedUp toppedUp) {
            balance += toppedUp.getAmountCents();
        } else if (event instanceof PaymentAuthorized authorized) {
            authorizations.put(authorized.getOrderId(),
                    new Authorization(authorized.getAmount().getMinorUnits(), AuthorizationStatus.HELD));
            held += authorized.getAmount().getMinorUnits();
        } else if (event instanceof PaymentCaptured captured) {
            authorizations.put(captured.getOrderId(),
                    new Authorization(captured.getAmountCents(), AuthorizationStatus.CAPTURED));
            held -= captured.getAmountCents();
            balance -= captured.getAmountCents();
        } else if (event instanceof PaymentReleased released) {
            authorizations.put(released.getOrderId(),
                    new Authorization(released.getAmountCents(), AuthorizationStatus.RELEASED));
            held -= released.getAmountCents();
        } else if (event instanceof PaymentRefunded refunded) {
            authorizations.put(refunded.getOrderId(),
                    new Authorization(refunded.getAmountCents(), AuthorizationStatus.REFUNDED));
            balance += refunded.getAmountCents();
        } else if (!(event instanceof PaymentDeclined)) {
            throw new IllegalArgumentException("not a payments event: " + event.getSchema().getName());
        }
        return new WalletState(balance, held, balance - held, authorizations);
    }
}
