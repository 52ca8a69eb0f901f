package io.factstream.jobs.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.factstream.log.WriterLease;

/** When the writer fence lets an instance write, and what it says when it does not. */
class WriterFenceTest {

    private static final Optional<WriterLease> OTHER_AT_12 = Optional.of(new WriterLease("other", 12L, Instant.EPOCH));

    @Test
    void theFirstInstanceOfAJobWrites() {
        assertThat(Leases.refusal(Optional.empty(), "me", 0, false)).isEmpty();
    }

    @Test
    void aRestartOfTheSameJobWritesWhateverItRestores() {
        assertThat(Leases.refusal(Optional.of(new WriterLease("me", 12L, Instant.EPOCH)), "me", 3, false))
                .isEmpty();
    }

    @Test
    void aSuccessorFromTheOtherInstancesLatestCheckpointOrSavepointWrites() {
        assertThat(Leases.refusal(OTHER_AT_12, "me", 12, false)).isEmpty();
    }

    @Test
    void anInstanceFromOlderStateThanTheOtherHasCommittedStops() {
        assertThat(Leases.refusal(OTHER_AT_12, "me", 11, false)).hasValueSatisfying(why -> assertThat(why)
                .contains("Flink job other").contains("checkpoint 12").contains("checkpoint 11, which this instance "
                        + "restored"));
    }

    @Test
    void anInstanceWithoutStateStopsWhenAnotherHasCommitted() {
        assertThat(Leases.refusal(OTHER_AT_12, "me", 0, false)).hasValueSatisfying(why -> assertThat(why)
                .contains("the empty state this instance started from"));
    }

    @Test
    void aTakeOverWritesAnyway() {
        assertThat(Leases.refusal(OTHER_AT_12, "me", 0, true)).isEmpty();
    }
}
