package io.factstream.statetools;

import java.util.List;

import io.factstream.catalog.BoundedContext;
import io.factstream.state.AggregateSnapshot;
import io.factstream.state.WalletState;

/**
 * The upgrade to version 2 of the wallet state, which keeps {@code availableCents}, the money the customer can
 * spend now, for the payment rules to read. Avro restores a version 1 wallet with the field's default, 0, which
 * would decline every payment of every existing customer; this migration derives it: the balance less the held
 * authorizations.
 */
final class WalletAvailableBalance implements AggregateMigration {

    @Override
    public String name() {
        return "wallet-available-balance";
    }

    @Override
    public String description() {
        return "fills in availableCents, added to the wallet state in version 2, as balanceCents - heldCents";
    }

    @Override
    public List<String> covers() {
        return List.of(WalletState.getClassSchema().getFullName() + ".availableCents");
    }

    @Override
    public BoundedContext context() {
        return BoundedContext.PAYMENTS;
    }

    @Override
    public AggregateSnapshot migrate(AggregateSnapshot snapshot) {
        if (!(snapshot.getState() instanceof WalletState wallet)) {
            return snapshot; // an id that never became a wallet: nothing to derive
        }
        return AggregateSnapshot.newBuilder(snapshot)
                .setState(WalletState.newBuilder(wallet)
                        .setAvailableCents(wallet.getBalanceCents() - wallet.getHeldCents())
                        .build())
                .build();
    }
}
