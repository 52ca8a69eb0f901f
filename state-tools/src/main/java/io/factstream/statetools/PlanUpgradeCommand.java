package io.factstream.statetools;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import io.factstream.statetools.upgrade.JobLayout;
import io.factstream.statetools.upgrade.SavepointLayout;
import io.factstream.statetools.upgrade.UpgradePlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code plan-upgrade}: judges a savepoint against a new version of its job before anything stops, and says so
 * with its exit code: 0 the upgrade is safe, 1 a migration must run on the savepoint first (named), 2 the new
 * version cannot restore it. The new job's graph is built from its jar and arguments as {@code flink run} would
 * build it, and never submitted; works the same for jobs started by the launcher, Flink's CLI or the Kubernetes
 * operator.
 */
@Command(name = "plan-upgrade", mixinStandardHelpOptions = true,
        description = {"Judges a savepoint against a new version of its job before anything stops: which state the "
                + "new version restores, which it would not, which schema changes Avro resolves and which need a "
                + "migration first.",
                "Exit code: 0 safe, 1 a migration must run first (named), 2 it cannot restore, 3 no verdict (bad "
                        + "arguments, an unreadable savepoint or jar)."},
        // Bad arguments are no verdict: a script reading 2 as "cannot restore" must not get it for a typo.
        exitCodeOnInvalidInput = StateTools.EXIT_FAILED,
        usageHelpWidth = 120)
final class PlanUpgradeCommand implements Callable<Integer> {

    @Option(names = "--savepoint", required = true, description = "The savepoint (or retained checkpoint) "
            + "directory the old version left.")
    Path savepoint;

    @Option(names = "--jar", description = "The new version's job jar (default: the jobs on this classpath).")
    Path jar;

    @Option(names = "--entry-class", description = "The class whose main builds the job (default: the jar's "
            + "Main-Class).")
    String entryClass;

    @Option(names = {"-p", "--parallelism"}, description = "The parallelism the new version would run at, where "
            + "the job sets none (default: the savepoint's).")
    Integer parallelism;

    @Parameters(paramLabel = "JOB-ARGS", description = "The new version's arguments, after --, as flink run would "
            + "pass them, e.g. -- --context orders.")
    List<String> jobArgs = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(savepoint)) {
            throw new IllegalArgumentException("no savepoint at " + savepoint);
        }
        if (jar != null && !Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no job jar at " + jar);
        }
        if (jar == null && entryClass == null) {
            throw new IllegalArgumentException("give the new version: --jar, --entry-class, or both");
        }
        String path = savepoint.toAbsolutePath().toUri().toString();
        int runAt = parallelism != null ? parallelism : SavepointLayout.parallelism(path);
        try (JobLayout job = JobLayout.build(Optional.ofNullable(jar), Optional.ofNullable(entryClass), jobArgs,
                runAt)) {
            // The state types' classes come from the new jar: a snapshot names its class, which must load there.
            SavepointLayout layout = SavepointLayout.read(path, job.classLoader());
            UpgradePlan plan = UpgradePlan.judge(layout, job, coveredFields());
            PrintWriter out = spec.commandLine().getOut();
            out.printf("plan-upgrade: %s (%d operators with state) into %s (%s, parallelism %d)%n", savepoint,
                    layout.operators().size(), jar != null ? jar : "this classpath", job.entryClass(), runAt);
            plan.findings().forEach(out::println);
            out.println(switch (plan.verdict()) {
                case SAFE -> "verdict: safe, the new version restores every state (exit 0)";
                case NEEDS_MIGRATION -> "verdict: run " + String.join(", ", plan.migrations())
                        + " on the savepoint first, then upgrade from the savepoint it writes (exit 1)";
                case CANNOT_RESTORE -> "verdict: the new version cannot restore this savepoint (exit 2)";
            });
            out.flush();
            return plan.verdict().exitCode();
        }
    }

    /** The fields the shipped migrations cover, each with the migration's name. */
    private static Map<String, String> coveredFields() {
        return AggregateMigration.all().stream().flatMap(migration -> migration.covers().stream()
                        .map(field -> Map.entry(field, migration.name())))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
