package io.factstream.kafka.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PositionTest {

    @Test
    void isWrittenAndReadBackPartitionByPartition() {
        Position position = Position.START
                .after(new TopicPartition("payments.events", 1), 41)
                .after(new TopicPartition("orders.events", 0), 16);

        assertThat(position.toString()).isEqualTo("orders.events/0:17,payments.events/1:42");
        assertThat(Position.parse(position.toString())).isEqualTo(position);
        assertThat(position.next(new TopicPartition("kitchen.events", 3))).as("not named: from the start").isZero();
        assertThat(Position.parse("")).isEqualTo(Position.START);
    }

    @Test
    void refusesAMalformedPosition() {
        assertThatThrownBy(() -> Position.parse("orders.events-0=17"))
                .hasMessage("'orders.events-0=17' is not <topic>/<partition>:<offset>");
    }
}
