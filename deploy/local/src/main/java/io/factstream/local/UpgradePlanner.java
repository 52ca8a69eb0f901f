package io.factstream.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code state-tools plan-upgrade} for the launcher, in a JVM of its own on state-tools' classpath (the
 * launcher has no Flink runtime on its own): judges a savepoint against a new job jar before anything stops.
 */
public final class UpgradePlanner {

    /**
     * What plan-upgrade said.
     *
     * @param exitCode 0 safe, 1 a migration must run first, 2 it cannot restore, 3 it could not judge
     * @param lines    its report: a line per finding and the verdict, or why it could not judge
     */
    public record Plan(int exitCode, List<String> lines) {

        public boolean safe() {
            return exitCode == 0;
        }

        /** The verdict line, or the last line when there is none. */
        public String verdict() {
            return lines.stream().filter(line -> line.startsWith("verdict: ")).findFirst()
                    .orElse(lines.isEmpty() ? "no report" : lines.get(lines.size() - 1));
        }
    }

    private final Path classpathFile;
    private final Path workDir;

    /**
     * @param classpathFile state-tools' runtime classpath as Maven resolved it
     *                      ({@code state-tools/target/classpath.txt}); its jar lies next to it
     * @param workDir       where the planner's output is kept
     */
    UpgradePlanner(Path classpathFile, Path workDir) {
        this.classpathFile = classpathFile.toAbsolutePath().normalize();
        this.workDir = workDir.toAbsolutePath().normalize();
    }

    /** Judges {@code savepoint} against the jar's entry class run with these arguments at this parallelism. */
    Plan plan(Path savepoint, Path jar, String entryClass, int parallelism, List<String> jobArgs, Duration timeout)
            throws LocalPlatformException {
        Path stateToolsJar = classpathFile.resolveSibling("factstream-state-tools.jar");
        if (!Files.exists(classpathFile) || !Files.exists(stateToolsJar)) {
            throw new LocalPlatformException("state-tools is not built: " + stateToolsJar + " and " + classpathFile
                    + " come from 'mvn -pl state-tools -am package'");
        }
        List<String> args = new ArrayList<>(List.of("plan-upgrade", "--savepoint", savepoint.toString(),
                "--jar", jar.toAbsolutePath().toString(), "--entry-class", entryClass,
                "--parallelism", Integer.toString(parallelism), "--"));
        args.addAll(jobArgs);
        try {
            Files.createDirectories(workDir);
            Path output = workDir.resolve("plan-upgrade.out");
            String classpath = stateToolsJar + ":" + Files.readString(classpathFile).strip();
            Process process = LocalProcess.java(classpath, List.of("-Xmx512m"), "io.factstream.statetools.StateTools",
                            args)
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new LocalPlatformException("plan-upgrade did not finish within " + timeout);
            }
            // Flink's own log lines go to the same output; the report is what plan-upgrade printed.
            List<String> report = Files.readAllLines(output).stream().filter(UpgradePlanner::reportLine).toList();
            return new Plan(process.exitValue(), report);
        } catch (IOException e) {
            throw new LocalPlatformException("cannot run plan-upgrade: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalPlatformException("interrupted while plan-upgrade ran", e);
        }
    }

    private static boolean reportLine(String line) {
        return line.startsWith("plan-upgrade") || line.startsWith("state-tools ") || line.startsWith("verdict: ")
                || line.startsWith("ok ") || line.startsWith("migrate ") || line.startsWith("refuse ");
    }
}
