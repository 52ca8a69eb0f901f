package io.factstream.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * One process of the local platform (the broker, the JobManager, the TaskManager), found again from any JVM through
 * its pid file. A JVM is started with {@code -Dfactstream.process=<name>@<pid file>} as its first option: a stale pid
 * file that names a process which reused the pid is never mistaken for ours.
 */
final class LocalProcess {

    private static final Duration POLL = Duration.ofMillis(200);

    private final String name;
    private final Path pidFile;
    private final Path outputFile;

    LocalProcess(String name, Path pidFile, Path outputFile) {
        this.name = name;
        this.pidFile = pidFile.toAbsolutePath().normalize();
        this.outputFile = outputFile.toAbsolutePath().normalize();
    }

    String name() {
        return name;
    }

    /** Where the process writes its standard output and error. */
    Path outputFile() {
        return outputFile;
    }

    /** The process, if it is alive and really the one this pid file recorded. */
    Optional<ProcessHandle> handle() {
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker())).orElse(false));
    }

    /**
     * Starts a JVM running {@code mainClass} on {@code classpath} (through the environment, so that the command
     * line stays short enough for {@link ProcessHandle.Info#commandLine()} to show the marker), appending its
     * output to {@link #outputFile()}, and records its pid.
     */
    Process startJava(String classpath, List<String> jvmOptions, String mainClass, List<String> arguments,
                      Path workingDirectory) throws IOException {
        List<String> options = new ArrayList<>();
        options.add("-D" + marker());
        options.addAll(jvmOptions);
        Files.createDirectories(outputFile.getParent());
        Process process = java(classpath, options, mainClass, arguments)
                .directory(workingDirectory.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile()))
                .redirectErrorStream(true)
                .start();
        Files.writeString(pidFile, Long.toString(process.pid()));
        return process;
    }

    /**
     * A JVM of this JVM's Java running {@code mainClass}; the classpath goes through the environment, which keeps
     * the command line short.
     */
    static ProcessBuilder java(String classpath, List<String> jvmOptions, String mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add(mainClass);
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("CLASSPATH", classpath);
        return builder;
    }

    /**
     * Ends the process: SIGTERM (a clean shutdown) and, if it is still there after {@code timeout}, SIGKILL. Does
     * nothing when it does not run.
     */
    void stop(Duration timeout) throws LocalPlatformException {
        Optional<ProcessHandle> process = handle();
        if (process.isPresent()) {
            process.get().destroy();
            if (!awaitExit(process.get(), timeout)) {
                process.get().destroyForcibly();
                requireExit(process.get(), timeout);
            }
        }
        forget();
    }

    /** Kills the process with SIGKILL, as a crash would, and waits until it is gone. */
    Optional<Long> kill(Duration timeout) throws LocalPlatformException {
        Optional<ProcessHandle> process = handle();
        if (process.isPresent()) {
            process.get().destroyForcibly();
            requireExit(process.get(), timeout);
        }
        forget();
        return process.map(ProcessHandle::pid);
    }

    /** Fails, keeping the pid file, when the process outlives SIGKILL: nothing may run that the platform forgot. */
    private void requireExit(ProcessHandle process, Duration timeout) throws LocalPlatformException {
        if (!awaitExit(process, timeout)) {
            throw new LocalPlatformException("the " + name + " (pid " + process.pid() + ") is still alive " + timeout
                    + " after SIGKILL");
        }
    }

    private void forget() throws LocalPlatformException {
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new LocalPlatformException("cannot remove " + pidFile + ": " + e.getMessage(), e);
        }
    }

    private boolean awaitExit(ProcessHandle process, Duration timeout) throws LocalPlatformException {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new LocalPlatformException("cannot wait for the " + name + " to stop: " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalPlatformException("interrupted while stopping the " + name, e);
        }
    }

    private String marker() {
        return "factstream.process=" + name + "@" + pidFile;
    }

    /**
     * Polls {@code ready} until it holds; fails with the last line of the output when the process exits first or
     * the timeout passes.
     */
    void awaitReady(Process process, BooleanSupplier ready, Duration timeout) throws LocalPlatformException {
        Instant deadline = Instant.now().plus(timeout);
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new LocalPlatformException("the " + name + " exited with code " + process.exitValue() + ": "
                        + lastLine(outputFile) + " (see " + outputFile + ")");
            }
            if (Instant.now().isAfter(deadline)) {
                throw new LocalPlatformException("the " + name + " was not ready within " + timeout + " (see "
                        + outputFile + ")");
            }
            pause(name);
        }
    }

    /** Whether something accepts connections on the local port. */
    static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port nothing listens on now, for a process of a test or a benchmark to take. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Fails when a port is taken by something else, before a process is started that could not bind it. */
    static void requireFree(int... ports) throws LocalPlatformException {
        for (int port : ports) {
            if (answers(port)) {
                throw new LocalPlatformException("port " + port + " is already in use by another process");
            }
        }
    }

    /** The last line a process wrote, for one-line error messages. */
    static String lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1).strip();
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** Copies a classpath resource next to this class to a file. */
    static void copyResource(String resource, Path target) throws IOException {
        try (InputStream in = LocalProcess.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the classpath");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Back-off between readiness polls of another process. */
    static void pause(String waitingFor) throws LocalPlatformException {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalPlatformException("interrupted while waiting for the " + waitingFor, e);
        }
    }
}
