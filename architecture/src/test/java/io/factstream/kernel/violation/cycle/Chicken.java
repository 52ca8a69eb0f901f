package io.factstream.kernel.violation.cycle;

import io.factstream.kernel.violation.loop.Egg;

/** With {@link Egg}, breaks the cycle rule on purpose: two packages that use each other. */
public final class Chicken {

    public Egg lay() {
        return new Egg();
    }
}
