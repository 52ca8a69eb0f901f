package io.factstream.testdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.wire.SingleObjectCodec;

class WorldLogTest {

    /** Surefire runs in the module directory. */
    private static final Path SAMPLE = Path.of("logs/sample-1000.avro");

    @TempDir
    Path directory;

    /**
     * The sample's commands are kept as they were written: a later version of the envelope reads them, and a new
     * version of the generator must still make the same world, command for command.
     */
    @Test
    void theCommittedSampleIsWhatItsSeedGenerates() throws Exception {
        World sample = WorldLog.read(SAMPLE);

        assertThat(sample.parameters()).containsEntry("seed", "1").containsEntry("orders", "1000");
        assertThat(decoded(WorldGenerator.generate(sample.parameters())))
                .as("the world its seed generates; when the generator changes on purpose, regenerate it with "
                        + "test-data/world generate ...")
                .isEqualTo(decoded(sample));
    }

    @Test
    void writingAWorldTwiceGivesTheSameBytes() throws Exception {
        World world = WorldGenerator.generate(new WorldGenerator.Parameters(9L, 10, 30, Duration.ofSeconds(3)));
        Path first = directory.resolve("first.avro");
        Path second = directory.resolve("second.avro");

        WorldLog.write(world, first);
        WorldLog.write(WorldGenerator.generate(world.parameters()), second);

        assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
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

    /** A world's script with its commands decoded, whichever version of the envelope encoded them. */
    private static List<String> decoded(World world) throws Exception {
        SingleObjectCodec<CommandEnvelope> commands = SingleObjectCodec.forType(CommandEnvelope.class);
        List<String> script = new ArrayList<>();
        for (ScriptedCommand entry : world.script()) {
            script.add(entry.getOffsetMillis() + " " + entry.getAfterEventType() + " " + entry.getAfterAggregateId()
                    + " " + entry.getPlannedOutcome() + " " + commands.decode(entry.getCommand().array()));
        }
        return script;
    }

    @Test
    void aFileThatIsNoWorldLogSaysSoInOneLine() throws Exception {
        Path garbage = Files.writeString(directory.resolve("garbage.avro"), "not avro");

        assertThatThrownBy(() -> WorldLog.read(garbage))
                .hasMessageStartingWith(garbage + " is not a readable world log: ")
                .hasMessageNotContaining("\n");
    }
}
