package io.factstream.kernel.violation.loop;

import io.factstream.kernel.violation.cycle.Chicken;

/** With {@link Chicken}, breaks the cycle rule on purpose. */
public final class Egg {

    public Chicken hatch() {
        return new Chicken();
    }
}
