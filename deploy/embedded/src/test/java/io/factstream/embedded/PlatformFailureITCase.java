package io.factstream.embedded;

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
import io.factstream.jobs.InjectedFailures;
import io.factstream.kafka.audit.PlatformAudit;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.kernel.saga.SagaDefinition;
import io.factstream.testdata.PlatformSummary;
import io.factstream.testdata.World;
import io.factstream.testdata.WorldFeeder;
import io.factstream.testdata.WorldGenerator;
import io.factstream.testdata.WorldPlay;

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
        InjectedFailures.DECISIONS.failAt(points(random, 3, 50, 350));
        InjectedFailures.REACTIONS.failAt(points(random, 3, 20, 250));

        try (EmbeddedPlatform platform = EmbeddedPlatform.start(EmbeddedPlatform.Settings.quick(), new Crashing())) {
            WorldFeeder.Report fed = new WorldFeeder(platform.bootstrapServers()).feed(world, Duration.ofSeconds(90));
            PlatformSummary summary = platform.awaitSagasFinished(planned.size(), Duration.ofMinutes(4));

            assertThat(InjectedFailures.DECISIONS.pending()).as("every aggregate crash happened").isEmpty();
            assertThat(InjectedFailures.REACTIONS.pending()).as("every saga crash happened").isEmpty();
            assertThat(fed.neverSent()).isEmpty();
            assertThat(summary.outcomes()).isEqualTo(planned);
            assertThat(summary.moneyConserved()).as(String.join("\n", summary.lines())).isTrue();
            assertThat(PlatformAudit.of(new CommittedReader(platform.bootstrapServers(),
                    Duration.ofSeconds(30))).problems()).isEmpty();
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
            return InjectedFailures.DECISIONS.into(Decider.class, Deciders.forContext(context));
        }

        @Override
        public SagaDefinition<?> saga(OrderFulfilment.Timeouts timeouts) {
            return InjectedFailures.REACTIONS.into(SagaDefinition.class, new OrderFulfilment(timeouts));
        }
    }
}
