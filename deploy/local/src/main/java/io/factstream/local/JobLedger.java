package io.factstream.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What happened to each job of the local platform (and to each replay running next to one, as
 * {@code <job>-replay}), one line per step, in {@code <data dir>/jobs/<job>.tsv}: when,
 * what (started, savepoint, stopped, upgraded, rolled-back, replayed), the Flink job id that runs afterwards
 * ({@code -} when none), the jar and its entry class, the parallelism and the savepoint involved. The runbooks read it to know which
 * job id to stop, which jar ran before an upgrade, and which savepoint to resume from; people read it as the
 * job's history.
 */
final class JobLedger {

    /** One step; {@code jobId} is {@code -} when the step left the job stopped. */
    record Entry(Instant at, String action, String jobId, Path jar, String entryClass, int parallelism,
                 String savepoint) {

        static final String NONE = "-";

        boolean leftRunning() {
            return !jobId.equals(NONE);
        }

        Optional<String> savepointPath() {
            return savepoint.equals(NONE) ? Optional.empty() : Optional.of(savepoint);
        }

        String line() {
            return String.join("\t", at.toString(), action, jobId, jar.toString(), entryClass,
                    Integer.toString(parallelism), savepoint);
        }

        static Entry parse(String line) {
            String[] f = line.split("\t", -1);
            return new Entry(Instant.parse(f[0]), f[1], f[2], Path.of(f[3]), f[4], Integer.parseInt(f[5]), f[6]);
        }
    }

    private final Path dir;

    JobLedger(Path dir) {
        this.dir = dir;
    }

    void append(String job, Entry entry) throws LocalPlatformException {
        try {
            Files.createDirectories(dir);
            Files.writeString(file(job), entry.line() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new LocalPlatformException("cannot write " + file(job) + ": " + e.getMessage(), e);
        }
    }

    /** Every step of the job, oldest first. */
    List<Entry> history(String job) throws LocalPlatformException {
        if (!Files.exists(file(job))) {
            return List.of();
        }
        try {
            return Files.readAllLines(file(job), StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.isBlank())
                    .map(Entry::parse)
                    .toList();
        } catch (IOException | RuntimeException e) {
            throw new LocalPlatformException("cannot read " + file(job) + ": " + e.getMessage(), e);
        }
    }

    /** The job's last step, if it ever ran. */
    Optional<Entry> last(String job) throws LocalPlatformException {
        List<Entry> history = history(job);
        return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
    }

    Path file(String job) {
        return dir.resolve(job + ".tsv");
    }
}
