package io.factstream.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The few calls of Flink's REST API the local platform needs: TaskManagers, jar upload and run (with a savepoint
 * to start from and a parallelism), job listing and state, checkpoints, savepoints, stop with savepoint, cancel. The same API
 * the web UI and {@code flink run} use, so nothing here depends on Flink's client classes.
 */
public final class FlinkRest {

    private static final List<String> TERMINAL_STATES = List.of("FINISHED", "CANCELED", "FAILED");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CAUSED_BY = "Caused by: ";

    private final String address;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // Flink's REST server does not speak HTTP/2 (no h2c upgrade)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    public FlinkRest(String address) {
        this.address = address;
    }

    /** Whether the REST endpoint answers. */
    public boolean answers() {
        try {
            get("/overview");
            return true;
        } catch (LocalPlatformException e) {
            return false;
        }
    }

    /** The resource ids of the registered TaskManagers; empty when the JobManager does not answer. */
    public List<String> taskManagerIds() {
        try {
            List<String> ids = new ArrayList<>();
            get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
            return ids;
        } catch (LocalPlatformException e) {
            return List.of();
        }
    }

    /** Uploads a job jar and returns its id on the cluster. */
    public String uploadJar(Path jar) throws LocalPlatformException {
        if (!Files.isRegularFile(jar)) {
            throw new LocalPlatformException("no job jar at " + jar.toAbsolutePath());
        }
        String boundary = "factstream-" + UUID.randomUUID();
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                    + jar.getFileName() + "\"\r\nContent-Type: application/java-archive\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            JsonNode uploaded = send(HttpRequest.newBuilder(uri("/jars/upload"))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
            String file = uploaded.path("filename").asText();
            return file.substring(file.lastIndexOf('/') + 1);
        } catch (IOException e) {
            throw new LocalPlatformException("cannot read " + jar + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs the main class of an uploaded jar, which submits its job, and returns the job id.
     *
     * @param savepoint where to restore the job's state from, if anywhere
     */
    public String run(String jarId, String entryClass, List<String> args, Optional<Integer> parallelism,
                      Optional<String> savepoint) throws LocalPlatformException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("entryClass", entryClass);
        request.put("programArgsList", args);
        parallelism.ifPresent(p -> request.put("parallelism", p));
        savepoint.ifPresent(path -> request.put("savepointPath", path));
        request.put("allowNonRestoredState", false);
        return post("/jars/" + jarId + "/run", request).path("jobid").asText();
    }

    /** The ids of the jobs that run or restart: every job the cluster knows that has not ended. */
    public Set<String> activeJobIds() throws LocalPlatformException {
        return activeJobs().keySet();
    }

    /** The jobs that run or restart, id to name, oldest first, whoever submitted them. */
    public Map<String, String> activeJobs() throws LocalPlatformException {
        List<JsonNode> jobs = new ArrayList<>();
        get("/jobs/overview").path("jobs").forEach(job -> {
            if (!TERMINAL_STATES.contains(job.path("state").asText())) {
                jobs.add(job);
            }
        });
        jobs.sort(Comparator.comparingLong(job -> job.path("start-time").asLong()));
        Map<String, String> active = new LinkedHashMap<>();
        jobs.forEach(job -> active.put(job.path("jid").asText(), job.path("name").asText()));
        return active;
    }

    /** The parallelism of each operator chain of the job, by name. */
    public Map<String, Integer> parallelism(String jobId) throws LocalPlatformException {
        Map<String, Integer> parallelism = new LinkedHashMap<>();
        get("/jobs/" + jobId).path("vertices")
                .forEach(vertex -> parallelism.put(vertex.path("name").asText(), vertex.path("parallelism").asInt()));
        return parallelism;
    }

    /** Waits until the job and every one of its tasks run. */
    public void awaitRunning(String jobId, Duration timeout) throws LocalPlatformException {
        awaitRunningSince(jobId, Instant.EPOCH, timeout);
    }

    /**
     * Waits until the job and every one of its tasks run, each task started at {@code since} or later: after a
     * failure at {@code since}, the job has recovered.
     */
    public void awaitRunningSince(String jobId, Instant since, Duration timeout) throws LocalPlatformException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            JsonNode job = get("/jobs/" + jobId);
            String state = job.path("state").asText();
            boolean allRunning = state.equals("RUNNING");
            for (JsonNode vertex : job.path("vertices")) {
                allRunning &= vertex.path("status").asText().equals("RUNNING")
                        && vertex.path("start-time").asLong() >= since.toEpochMilli();
            }
            if (allRunning) {
                return;
            }
            if (TERMINAL_STATES.contains(state)) {
                throw new LocalPlatformException("job " + jobId + " is " + state + ": " + failureCause(jobId));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new LocalPlatformException("job " + jobId + " was not running within " + timeout
                        + " (state " + state + ")");
            }
            LocalProcess.pause("job " + jobId);
        }
    }

    /** Takes a savepoint of a running job and returns its path. */
    public String savepoint(String jobId, Path directory, Duration timeout) throws LocalPlatformException {
        JsonNode trigger = post("/jobs/" + jobId + "/savepoints",
                Map.of("target-directory", directory.toUri().toString(), "cancel-job", false));
        return awaitSavepoint(jobId, trigger.path("request-id").asText(), timeout);
    }

    /**
     * Stops a job with a savepoint (sources stop, a final savepoint is taken, the transactions of the last
     * checkpoint are committed) and returns its path.
     */
    public String stopWithSavepoint(String jobId, Path directory, Duration timeout) throws LocalPlatformException {
        JsonNode trigger = post("/jobs/" + jobId + "/stop",
                Map.of("targetDirectory", directory.toUri().toString(), "drain", false));
        String path = awaitSavepoint(jobId, trigger.path("request-id").asText(), timeout);
        awaitTerminated(jobId, timeout);
        return path;
    }

    /** Waits until a bounded job has finished; fails when it ended otherwise. */
    public void awaitFinished(String jobId, Duration timeout) throws LocalPlatformException {
        awaitTerminated(jobId, timeout);
        String state = get("/jobs/" + jobId).path("state").asText();
        if (!state.equals("FINISHED")) {
            throw new LocalPlatformException("job " + jobId + " is " + state + ": " + failureCause(jobId));
        }
    }

    /** Cancels a job and waits until it has stopped. */
    public void cancel(String jobId, Duration timeout) throws LocalPlatformException {
        send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()));
        awaitTerminated(jobId, timeout);
    }

    /**
     * Waits until the job completes a checkpoint that was acknowledged at {@code since} or later: it processes
     * again and its outputs up to then are committed.
     */
    public void awaitCheckpointSince(String jobId, Instant since, Duration timeout) throws LocalPlatformException {
        Instant deadline = Instant.now().plus(timeout);
        while (get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed").path("latest_ack_timestamp")
                .asLong() < since.toEpochMilli()) {
            if (Instant.now().isAfter(deadline)) {
                throw new LocalPlatformException("job " + jobId + " completed no checkpoint within " + timeout);
            }
            LocalProcess.pause("a checkpoint of job " + jobId);
        }
    }

    private String awaitSavepoint(String jobId, String requestId, Duration timeout) throws LocalPlatformException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + requestId);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new LocalPlatformException("the savepoint of job " + jobId + " failed: "
                            + firstLine(operation.path("failure-cause").path("stack-trace").asText()));
                }
                return operation.path("location").asText();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new LocalPlatformException("the savepoint of job " + jobId + " took longer than " + timeout);
            }
            LocalProcess.pause("savepoint of job " + jobId);
        }
    }

    private void awaitTerminated(String jobId, Duration timeout) throws LocalPlatformException {
        Instant deadline = Instant.now().plus(timeout);
        while (!TERMINAL_STATES.contains(get("/jobs/" + jobId).path("state").asText())) {
            if (Instant.now().isAfter(deadline)) {
                throw new LocalPlatformException("job " + jobId + " did not stop within " + timeout);
            }
            LocalProcess.pause("job " + jobId + " to stop");
        }
    }

    /** The job's latest failure, on one line: {@code /jobs/:id/exceptions}' newest history entry. */
    private String failureCause(String jobId) {
        try {
            JsonNode latest = get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries").path(0);
            return latest.isMissingNode() ? "(no exception recorded)"
                    : firstLine(latest.path("stacktrace").asText(latest.path("exceptionName").asText()));
        } catch (LocalPlatformException e) {
            return e.getMessage();
        }
    }

    private JsonNode get(String path) throws LocalPlatformException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private JsonNode post(String path, Object body) throws LocalPlatformException {
        try {
            return send(HttpRequest.newBuilder(uri(path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        } catch (IOException e) {
            throw new LocalPlatformException("cannot encode the request to " + path + ": " + e.getMessage(), e);
        }
    }

    private JsonNode send(HttpRequest.Builder request) throws LocalPlatformException {
        HttpRequest built = request.timeout(Duration.ofSeconds(60)).build();
        try {
            HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            if (response.statusCode() >= 300) {
                List<String> errors = new ArrayList<>();
                body.path("errors").forEach(error -> errors.add(rootCause(error.asText())));
                throw new LocalPlatformException(built.method() + " " + built.uri().getPath() + " answered "
                        + response.statusCode() + ": " + String.join("; ", errors));
            }
            return body;
        } catch (IOException e) {
            // A refused connection comes without a message: its class names what happened.
            String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new LocalPlatformException("Flink at " + address + " does not answer: " + cause, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalPlatformException("interrupted while calling Flink", e);
        }
    }

    private URI uri(String path) {
        return URI.create(address + path);
    }

    /**
     * What an error of Flink's says in one line: the message of its innermost cause when it is a stack trace (a job
     * whose {@code main} failed: the job's own words, not Flink's "Could not execute application"), else its first
     * line.
     */
    private static String rootCause(String text) {
        List<String> lines = text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(CAUSED_BY)) {
                String cause = lines.get(i).substring(CAUSED_BY.length());
                int message = cause.indexOf(": ");
                return message < 0 ? cause : cause.substring(message + 2);
            }
        }
        return lines.isEmpty() ? text : lines.get(0);
    }

    private static String firstLine(String text) {
        return text.lines().map(String::strip).filter(line -> !line.isEmpty()).findFirst().orElse(text);
    }
}
