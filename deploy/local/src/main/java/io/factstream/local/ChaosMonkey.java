package io.factstream.local;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

import io.factstream.jobs.PlatformJob;

/**
 * The seed's Chaos Monkey for the local platform: at seeded random moments it kills the TaskManager or the broker
 * process with SIGKILL, as its plan says, starts a new one, and waits until every job has
 * completed a checkpoint since the kill (it processes again, and commits) before it picks the next moment, so that
 * each kill hits a working platform. The same seed makes the same pauses and picks the same targets, which makes a
 * failed run repeatable.
 */
public final class ChaosMonkey {

    /** A process the monkey kills. */
    public enum Target {
        TASKMANAGER, BROKER;

        /** The target's name on command lines and in reports. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What to do.
     *
     * @param seed     the seed of the pauses
     * @param targets  what to kill, one after the other
     * @param minPause the shortest time between the platform running again and the next kill
     * @param maxPause the longest
     */
    public record Plan(long seed, List<Target> targets, Duration minPause, Duration maxPause) {
        public Plan {
            targets = List.copyOf(targets);
            if (targets.isEmpty() || minPause.isNegative() || maxPause.compareTo(minPause) < 0) {
                throw new IllegalArgumentException("a plan needs at least one kill and 0 <= min pause <= max pause");
            }
        }

        /** {@code kills} TaskManager kills; with {@code broker}, the seed makes one kill in three the broker's. */
        public static Plan drawn(long seed, int kills, Duration minPause, Duration maxPause, boolean broker) {
            Random random = new Random(seed ^ 0x5DEECE66DL);
            List<Target> targets = new ArrayList<>();
            for (int i = 0; i < kills; i++) {
                targets.add(broker && random.nextInt(3) == 0 ? Target.BROKER : Target.TASKMANAGER);
            }
            return new Plan(seed, targets, minPause, maxPause);
        }
    }

    /** What one kill did; {@code recovery} lasted until every job had completed a checkpoint again. */
    public record Kill(String target, long pid, Duration recovery) {
        @Override
        public String toString() {
            return String.format("killed %s (pid %d); every job checkpointed again after %.1f s", target, pid,
                    recovery.toMillis() / 1000.0);
        }
    }

    private final LocalPlatform platform;
    private final Duration timeout;

    public ChaosMonkey(LocalPlatform platform, Duration timeout) {
        this.platform = platform;
        this.timeout = timeout;
    }

    /** Runs the plan, telling {@code log} about each kill as it happens; returns how many kills were made. */
    public int run(Plan plan, Consumer<Kill> log) throws LocalPlatformException {
        Random random = new Random(plan.seed());
        for (Target target : plan.targets()) {
            long spread = plan.maxPause().toMillis() - plan.minPause().toMillis();
            long pause = plan.minPause().toMillis() + (spread == 0 ? 0 : (long) (random.nextDouble() * spread));
            idle(Duration.ofMillis(pause));
            log.accept(target == Target.BROKER ? killBroker() : killTaskManager());
        }
        return plan.targets().size();
    }

    private Kill killTaskManager() throws LocalPlatformException {
        Instant start = Instant.now();
        long pid = platform.flink().killTaskManager(timeout)
                .orElseThrow(() -> new LocalPlatformException("no TaskManager runs; start the platform with up"));
        try {
            platform.flink().startTaskManager(timeout);
        } catch (IOException e) {
            throw new LocalPlatformException("cannot restart the TaskManager: " + e.getMessage(), e);
        }
        awaitCheckpointsSince(start);
        return new Kill(Target.TASKMANAGER.id(), pid, Duration.between(start, Instant.now()));
    }

    private Kill killBroker() throws LocalPlatformException {
        Instant start = Instant.now();
        long pid = platform.kafka().kill(timeout)
                .orElseThrow(() -> new LocalPlatformException("no broker runs; start the platform with up"));
        platform.kafka().start(timeout);
        awaitCheckpointsSince(start);
        return new Kill(Target.BROKER.id(), pid, Duration.between(start, Instant.now()));
    }

    /** Waits until every job has completed a checkpoint acknowledged after {@code since}. */
    private void awaitCheckpointsSince(Instant since) throws LocalPlatformException {
        for (PlatformJob job : PlatformJob.all()) {
            Optional<String> id = platform.runningJobId(job);
            if (id.isPresent()) {
                platform.flink().rest().awaitCheckpointSince(id.get(), since, timeout);
            }
        }
    }

    /** The monkey's pause between kills: part of the plan, not a wait for something to happen. */
    private static void idle(Duration pause) throws LocalPlatformException {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalPlatformException("interrupted between kills", e);
        }
    }
}
