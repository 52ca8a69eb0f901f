package io.factstream.testdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldLogTest {

    /** Surefire runs in the module directory. */
    private static final Path SAMPLE = Path.of("logs/sample-1000.avro");

    @TempDir
    Path directory;

    @Test
    void theCommittedSampleIsWhatItsSeedGenerates() throws Exception {
        World sample = WorldLog.read(SAMPLE);
        Path regenerated = directory.resolve("regenerated.avro");

        WorldLog.write(WorldGenerator.generate(sample.parameters()), regenerated);

        assertThat(sample.parameters()).containsEntry("seed", "1").containsEntry("orders", "1000");
        assertThat(Files.readAllBytes(regenerated)).as("regenerate it with test-data/world generate ...")
                .isEqualTo(Files.readAllBytes(SAMPLE));
    }

    @Test
    void theSampleHasEveryOutcomeInItsMix() throws Exception {
        Map<String, String> planned = WorldPlay.plannedOutcomes(WorldLog.read(SAMPLE));

        assertThat(planned).hasSize(1000);
        assertThat(planned.values()).contains("COMPLETED", "REJECTED", "CANCELLED CUSTOMER_REQUEST",
                "CANCELLED KITCHEN_TIMEOUT", "CANCELLED DELIVERY_TIMEOUT", "CANCELLED DELIVERY_FAILED");
    }

    @Test
    void aWorldSurvivesTheRoundTripAndTheSameParametersGiveTheSameWorld() throws Exception {
        WorldGenerator.Parameters parameters = new WorldGenerator.Parameters(5L, 12, 40, Duration.ofSeconds(5));
        Path file = directory.resolve("world.avro");

        WorldLog.write(WorldGenerator.generate(parameters), file);

        assertThat(WorldLog.read(file)).isEqualTo(WorldGenerator.generate(parameters));
    }

    @Test
    void aFileThatIsNoWorldLogSaysSoInOneLine() throws Exception {
        Path garbage = Files.writeString(directory.resolve("garbage.avro"), "not avro");

        assertThatThrownBy(() -> WorldLog.read(garbage))
                .hasMessageStartingWith(garbage + " is not a readable world log: ")
                .hasMessageNotContaining("\n");
    }
}
