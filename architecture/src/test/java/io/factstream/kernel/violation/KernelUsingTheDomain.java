package io.factstream.kernel.violation;

import io.factstream.catalog.BoundedContext;
import io.factstream.domain.Deciders;

/** Breaks the layers on purpose: the kernel reaching up into the domain. */
public final class KernelUsingTheDomain {

    public Object orders() {
        return Deciders.forContext(BoundedContext.ORDERS);
    }
}
