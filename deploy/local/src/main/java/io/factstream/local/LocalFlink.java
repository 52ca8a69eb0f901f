package io.factstream.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * A standalone Flink session cluster on this machine: one JobManager process
 * ({@code StandaloneSessionClusterEntrypoint}) and one TaskManager process ({@code TaskManagerRunner}), started from
 * the jars Maven resolved for {@code deploy/flink-lib} (no tarball, no install) with the project's
 * {@code flink-conf/}.
 *
 * <p>The configuration is used as it is; only what belongs to this machine is set on top, as dynamic properties:
 * ports, the checkpoint, savepoint and temporary directories under the data directory, and the process sizes. The
 * JVMs get the memory flags Flink's own {@code BashJavaUtils} computes from that configuration, as the
 * {@code bin/} scripts of a distribution do, and {@code env.java.opts.*}.
 */
public final class LocalFlink {

    /** Ports and sizes of the local cluster. */
    public record Settings(int restPort, int rpcPort, String jobManagerMemory, String taskManagerMemory) {
    }

    private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    private final Path dataDir;
    private final Path configSource;
    private final Path libClasspathFile;
    private final Settings settings;
    private final LocalProcess jobManager;
    private final LocalProcess taskManager;
    private final FlinkRest rest;

    /**
     * @param dataDir          where the cluster keeps its configuration, logs, pid files, checkpoints and savepoints
     * @param configSource     the project's {@code flink-conf/}
     * @param libClasspathFile {@code deploy/flink-lib/target/classpath.txt}
     */
    public LocalFlink(Path dataDir, Path configSource, Path libClasspathFile, Settings settings) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.configSource = configSource;
        this.libClasspathFile = libClasspathFile;
        this.settings = settings;
        this.jobManager = new LocalProcess("jobmanager", this.dataDir.resolve("jobmanager.pid"),
                logDir().resolve("jobmanager.out"));
        this.taskManager = new LocalProcess("taskmanager", this.dataDir.resolve("taskmanager.pid"),
                logDir().resolve("taskmanager.out"));
        this.rest = new FlinkRest(restAddress());
    }

    /** The REST API and web UI. */
    public String restAddress() {
        return "http://localhost:" + settings.restPort();
    }

    /** Where savepoints go unless a runbook names another directory. */
    public Path savepointDir() {
        return dataDir.resolve("savepoints");
    }

    public Path checkpointDir() {
        return dataDir.resolve("checkpoints");
    }

    /**
     * The job's latest completed checkpoint that is still on disk ({@code chk-<n>} with its {@code _metadata}),
     * whether the job runs, was cancelled, or died with the cluster: checkpoints are retained.
     */
    public Optional<Path> latestRetainedCheckpoint(String jobId) throws LocalPlatformException {
        Path jobDir = checkpointDir().resolve(jobId);
        if (!Files.isDirectory(jobDir)) {
            return Optional.empty();
        }
        try (var checkpoints = Files.list(jobDir)) {
            return checkpoints
                    .filter(dir -> dir.getFileName().toString().matches("chk-\\d+"))
                    .filter(dir -> Files.exists(dir.resolve("_metadata")))
                    .max(Comparator.comparingLong(dir -> Long.parseLong(dir.getFileName().toString().substring(4))));
        } catch (IOException e) {
            throw new LocalPlatformException("cannot list the checkpoints in " + jobDir + ": " + e.getMessage(), e);
        }
    }

    public Path logDir() {
        return dataDir.resolve("log");
    }

    /** Starts whichever of the two processes does not run, and waits until the TaskManager has registered. */
    public String start(Duration timeout) throws LocalPlatformException {
        try {
            prepareConfigDir();
            if (jobManager.handle().isEmpty()) {
                LocalProcess.requireFree(settings.restPort(), settings.rpcPort());
                Process process = startProcess(jobManager, "GET_JM_RESOURCE_PARAMS",
                        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", Map.of());
                jobManager.awaitReady(process, rest::answers, timeout);
            }
            startTaskManager(timeout);
            return status();
        } catch (IOException e) {
            throw new LocalPlatformException("cannot start the Flink cluster: " + e.getMessage(), e);
        }
    }

    /** Starts the TaskManager if it does not run and waits until it has registered with the JobManager. */
    public void startTaskManager(Duration timeout) throws LocalPlatformException, IOException {
        if (taskManager.handle().isPresent()) {
            return;
        }
        // Its own id: a TaskManager that replaces a killed one is told apart from the one still being timed out.
        String resourceId = "taskmanager-" + System.currentTimeMillis();
        Process process = startProcess(taskManager, "GET_TM_RESOURCE_PARAMS",
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", Map.of("taskmanager.resource-id", resourceId));
        taskManager.awaitReady(process, () -> rest.taskManagerIds().contains(resourceId), timeout);
    }

    /** Kills the TaskManager with SIGKILL, as a machine failure would; returns the pid it had. */
    public Optional<Long> killTaskManager(Duration timeout) throws LocalPlatformException {
        return taskManager.kill(timeout);
    }

    /** Stops the TaskManager, then the JobManager; running jobs end with them (stop them with a savepoint first). */
    public String stop(Duration timeout) throws LocalPlatformException {
        try {
            taskManager.stop(timeout);
        } finally {
            jobManager.stop(timeout);
        }
        return status();
    }

    /** One line: which processes run, with pids, and the web UI. */
    public String status() {
        Optional<ProcessHandle> jm = jobManager.handle();
        Optional<ProcessHandle> tm = taskManager.handle();
        if (jm.isEmpty() && tm.isEmpty()) {
            return "stopped";
        }
        return "jobmanager " + jm.map(p -> "pid " + p.pid()).orElse("stopped")
                + ", taskmanager " + tm.map(p -> "pid " + p.pid()).orElse("stopped")
                + (jm.isPresent() && rest.answers() ? ", web UI " + restAddress() : ", REST not answering");
    }

    public boolean running() {
        return jobManager.handle().isPresent() && rest.answers();
    }

    /** The pids of the processes that run, for checks that nothing is left. */
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        jobManager.handle().ifPresent(p -> pids.add(p.pid()));
        taskManager.handle().ifPresent(p -> pids.add(p.pid()));
        return pids;
    }

    public FlinkRest rest() {
        return rest;
    }

    /** What this machine sets on top of flink-conf/config.yaml. */
    Map<String, String> overrides() {
        Map<String, String> dynamic = new LinkedHashMap<>();
        dynamic.put("rest.port", Integer.toString(settings.restPort()));
        dynamic.put("jobmanager.rpc.port", Integer.toString(settings.rpcPort()));
        dynamic.put("jobmanager.memory.process.size", settings.jobManagerMemory());
        dynamic.put("taskmanager.memory.process.size", settings.taskManagerMemory());
        dynamic.put("execution.checkpointing.dir", checkpointDir().toUri().toString());
        dynamic.put("execution.checkpointing.savepoint-dir", savepointDir().toUri().toString());
        dynamic.put("io.tmp.dirs", dataDir.resolve("tmp").toString());
        dynamic.put("web.tmpdir", dataDir.resolve("web").toString());
        // One machine, no network in between: a killed TaskManager is declared lost after 8 s instead of 50 s.
        dynamic.put("heartbeat.interval", "2s");
        dynamic.put("heartbeat.timeout", "8s");
        return dynamic;
    }

    private Path configDir() {
        return dataDir.resolve("conf");
    }

    private void prepareConfigDir() throws IOException, LocalPlatformException {
        if (!Files.isRegularFile(configSource.resolve("config.yaml"))) {
            throw new LocalPlatformException("no config.yaml in " + configSource.toAbsolutePath());
        }
        if (!Files.isRegularFile(libClasspathFile)) {
            throw new LocalPlatformException(libClasspathFile + " is missing; build with "
                    + "mvn -pl deploy/local -am package -DskipTests");
        }
        Files.createDirectories(configDir());
        Files.createDirectories(logDir());
        for (String file : List.of("config.yaml", "log4j.properties", "log4j-cli.properties")) {
            Files.copy(configSource.resolve(file), configDir().resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Process startProcess(LocalProcess process, String resourceParams, String mainClass,
                                 Map<String, String> ownOverrides) throws IOException, LocalPlatformException {
        String classpath = Files.readString(libClasspathFile, StandardCharsets.UTF_8).strip();
        Map<String, String> dynamic = new LinkedHashMap<>(overrides());
        dynamic.putAll(ownOverrides);
        List<String> dynamicArgs = dynamicArguments(dynamic);
        List<String> resources = bashJavaUtils(classpath, resourceParams, dynamicArgs);
        List<String> jvm = new ArrayList<>(split(resources.get(0)));
        jvm.addAll(split(javaOptions(process.name())));
        jvm.add("-Dlog.file=" + logDir().resolve(process.name() + ".log"));
        jvm.add("-Dlog4j.configurationFile=file:" + configDir().resolve("log4j.properties"));
        List<String> args = new ArrayList<>(List.of("--configDir", configDir().toString()));
        args.addAll(dynamicArgs);
        if (resources.size() > 1) {
            args.addAll(split(resources.get(1)));
        }
        return process.startJava(classpath, jvm, mainClass, args, dataDir);
    }

    private static List<String> dynamicArguments(Map<String, String> dynamic) {
        List<String> args = new ArrayList<>();
        dynamic.forEach((key, value) -> {
            args.add("-D");
            args.add(key + "=" + value);
        });
        return args;
    }

    /** {@code env.java.opts.all} and the process's own {@code env.java.opts.jobmanager|taskmanager}. */
    private String javaOptions(String processName) {
        Configuration config = GlobalConfiguration.loadConfiguration(configDir().toString());
        String own = config.get(processName.equals("jobmanager")
                ? CoreOptions.FLINK_JM_JVM_OPTIONS : CoreOptions.FLINK_TM_JVM_OPTIONS);
        return config.get(CoreOptions.FLINK_JVM_OPTIONS) + " " + own;
    }

    /** Runs Flink's BashJavaUtils, which prints the JVM memory flags and dynamic properties a process needs. */
    private List<String> bashJavaUtils(String classpath, String command, List<String> dynamicArgs)
            throws IOException, LocalPlatformException {
        List<String> args = new ArrayList<>(List.of(command, "--configDir", configDir().toString()));
        args.addAll(dynamicArgs);
        Path output = dataDir.resolve("tmp").resolve(command + ".out");
        Files.createDirectories(output.getParent());
        Process process = LocalProcess.java(classpath, List.of(), BASH_JAVA_UTILS, args)
                .redirectOutput(output.toFile())
                .redirectErrorStream(true)
                .start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new LocalPlatformException("BashJavaUtils " + command + " took longer than 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalPlatformException("interrupted while computing the JVM options", e);
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new LocalPlatformException("BashJavaUtils " + command + " failed: " + printed.strip());
        }
        List<String> results = printed.lines()
                .filter(line -> line.startsWith(RESULT_PREFIX))
                .map(line -> line.substring(RESULT_PREFIX.length()))
                .toList();
        if (results.isEmpty()) {
            throw new LocalPlatformException("BashJavaUtils " + command + " printed no result: " + printed.strip());
        }
        return results;
    }

    private static List<String> split(String options) {
        return Arrays.stream(options.strip().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }
}
