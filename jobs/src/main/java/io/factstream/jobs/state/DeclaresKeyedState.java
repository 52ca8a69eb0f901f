package io.factstream.jobs.state;

import java.util.List;

import org.apache.flink.api.common.state.StateDescriptor;

/**
 * A keyed function that names the keyed state it registers when it opens, with the type each is read with. Flink
 * learns an operator's states only when the job runs; this lets {@code state-tools plan-upgrade} judge a savepoint
 * against a new jar before anything stops: which states the new version reads, and whether each restores (Avro
 * schema resolution). The function registers exactly these descriptors; its timers are Flink's own.
 */
public interface DeclaresKeyedState {

    /** Every keyed state the function registers in {@code open}, as it registers it. */
    List<StateDescriptor<?, ?>> keyedStates();
}
