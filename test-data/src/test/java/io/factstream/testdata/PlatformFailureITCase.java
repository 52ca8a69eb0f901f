package io.factstream.testdata;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.factstream.catalog.BoundedContext;
import io.factstream.domain.Deciders;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.jobs.FailingDecider;
import io.factstream.jobs.FailingSaga;
import io.factstream.runtime.aggregate.Decider;
import io.factstream.runtime.saga.SagaDefinition;
import io.factstream.topics.CommittedReader;

/**
 * The platform run of {@link PlatformITCase} with crashes injected into the aggregate jobs and the saga job at
 * seeded random points: the same outcomes, balanced books, and no duplicate or missing event.
 */
class PlatformFailureITCase {

    private static final long SEED = 424242L;

    @Test
    void endsTheSameWhateverCrashes() throws Exception {
        World world = WorldGenerator.generate(new WorldGenerator.Parameters(20261126L, 30, 80, Duration.ofSeconds(8)));
        Map<String, String> planned = WorldPlay.plannedOutcomes(world);
        Random random = new Random(SEED);
        FailingDecider.failAt(points(random, 3, 50, 350));
        FailingSaga.failAt(points(random, 3, 20, 250));

        try (EmbeddedPlatform platform = EmbeddedPlatform.start(EmbeddedPlatform.Settings.quick(), new Crashing())) {
            WorldFeeder.Report fed = new WorldFeeder(platform.bootstrapServers()).feed(world, Duration.ofSeconds(90));
            PlatformSummary summary = platform.awaitSagasFinished(planned.size(), Duration.ofMinutes(4));

            assertThat(FailingDecider.pendingFailures()).as("every aggregate crash happened").isEmpty();
            assertThat(FailingSaga.pendingFailures()).as("every saga crash happened").isEmpty();
            assertThat(fed.neverSent()).isEmpty();
            assertThat(summary.outcomes()).isEqualTo(planned);
            assertThat(summary.moneyConserved()).as(String.join("\n", summary.lines())).isTrue();
            assertThat(PlatformChecks.auditProblems(new CommittedReader(platform.bootstrapServers(),
                    Duration.ofSeconds(30)))).isEmpty();
        }
    }

    private static Set<Integer> points(Random random, int count, int from, int to) {
        Set<Integer> points = new TreeSet<>();
        while (points.size() < count) {
            points.add(from + random.nextInt(to - from));
        }
        return points;
    }

    /** The reference domain, made to crash at the chosen decisions and reactions. */
    private static final class Crashing implements EmbeddedPlatform.Logic {
        @Override
        public Decider<?> decider(BoundedContext context) {
            return new FailingDecider<>(Deciders.forContext(context));
        }

        @Override
        public SagaDefinition<?> saga(OrderFulfilment.Timeouts timeouts) {
            return new FailingSaga<>(new OrderFulfilment(timeouts));
        }
    }
}
