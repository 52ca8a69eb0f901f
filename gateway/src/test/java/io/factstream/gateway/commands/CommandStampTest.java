package io.factstream.gateway.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.Role;
import io.factstream.catalog.payments.TopUpWallet;
import io.factstream.gateway.api.Problem;
import io.factstream.gateway.auth.Caller;

class CommandStampTest {

    private static final Caller ALICE = new Caller("customer-1", List.of(Role.CUSTOMER));
    private static final Caller BOB = new Caller("customer-2", List.of(Role.CUSTOMER));
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void theCallerAndTheClockAreStampedNotTheClient() {
        CommandEnvelope envelope = stamp(ALICE, new CommandStamp.ClientHeaders(null, null, null));

        assertThat(envelope.getUserId()).isEqualTo("customer-1");
        assertThat(envelope.getRoles()).containsExactly("CUSTOMER");
        assertThat(envelope.getCreationTimestamp()).isEqualTo(NOW);
        assertThat(envelope.getCommandType()).isEqualTo("TopUpWallet");
        assertThat(envelope.getAggregateType()).isEqualTo("Wallet");
        assertThat(envelope.getSubjectId()).isEqualTo("customer-1");
        assertThat(envelope.getCorrelationId()).isEqualTo("customer-1");
        assertThat(envelope.getExpectedVersion()).isNull();
        assertThat(envelope.getCausationId()).isNull();
    }

    @Test
    void anIdempotencyKeyIsTheSameCommandForTheSameCallerOnly() {
        CommandStamp.ClientHeaders key = new CommandStamp.ClientHeaders("k-1", null, null);

        assertThat(stamp(ALICE, key).getCommandId()).isEqualTo(stamp(ALICE, key).getCommandId());
        assertThat(stamp(ALICE, key).getCommandId()).isNotEqualTo(stamp(BOB, key).getCommandId());
        assertThat(stamp(ALICE, new CommandStamp.ClientHeaders(null, null, null)).getCommandId())
                .isNotEqualTo(stamp(ALICE, new CommandStamp.ClientHeaders(null, null, null)).getCommandId());
    }

    @Test
    void ifMatchIsTheExpectedVersionWithOrWithoutQuotes() {
        assertThat(stamp(ALICE, new CommandStamp.ClientHeaders(null, "3", null)).getExpectedVersion()).isEqualTo(3);
        assertThat(stamp(ALICE, new CommandStamp.ClientHeaders(null, "\"7\"", null)).getExpectedVersion())
                .isEqualTo(7);
        assertThat(stamp(ALICE, new CommandStamp.ClientHeaders(null, "W/\"0\"", null)).getExpectedVersion())
                .isEqualTo(0);
        assertThatThrownBy(() -> stamp(ALICE, new CommandStamp.ClientHeaders(null, "-1", null)))
                .isInstanceOf(Problem.class).hasMessageContaining("If-Match");
    }

    @Test
    void aCorrelationIdMayBeGivenButNotTooLong() {
        assertThat(stamp(ALICE, new CommandStamp.ClientHeaders(null, null, "conversation-9")).getCorrelationId())
                .isEqualTo("conversation-9");
        assertThatThrownBy(() -> stamp(ALICE, new CommandStamp.ClientHeaders(null, null, "x".repeat(201))))
                .isInstanceOf(Problem.class).hasMessageContaining("X-Correlation-Id");
        assertThatThrownBy(() -> stamp(ALICE, new CommandStamp.ClientHeaders("\n", null, null)))
                .isInstanceOf(Problem.class).hasMessageContaining("Idempotency-Key");
    }

    private static CommandEnvelope stamp(Caller caller, CommandStamp.ClientHeaders headers) {
        return CommandStamp.stamp(caller, "customer-1", new TopUpWallet(500L), headers, NOW);
    }
}
