package io.factstream.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.factstream.catalog.Role;
import io.factstream.gateway.auth.Users;
import io.factstream.testdata.WorldGenerator;

/**
 * The gateway of the local platform, a process of its own: the HTTP front door on {@code port}, in front of the
 * local broker. Its users are the sample world's people, written once to {@code users.json} (token hashes) with
 * their tokens in {@code logins.txt} next to it, so that logins survive restarts. Its pid file, output and users
 * live in the data directory's {@code gateway/}.
 */
public final class LocalGateway {

    /** The customers of the sample world the demo plays (1,000 orders). */
    private static final int CUSTOMERS = WorldGenerator.Parameters.ofOrders(1_000, 0).customers();

    private final Path dir;
    private final int port;
    private final Path classpathFile;
    private final LocalProcess process;

    /**
     * @param classpathFile the gateway's runtime classpath as Maven resolved it ({@code gateway/target/classpath.txt});
     *                      the gateway jar lies next to it
     */
    public LocalGateway(Path dir, int port, Path classpathFile) {
        this.dir = dir.toAbsolutePath().normalize();
        this.port = port;
        this.classpathFile = classpathFile.toAbsolutePath().normalize();
        this.process = new LocalProcess("gateway", this.dir.resolve("gateway.pid"), this.dir.resolve("gateway.out"));
    }

    public URI url() {
        return URI.create("http://localhost:" + port);
    }

    /** The file with every sample user's token. */
    public Path logins() {
        return dir.resolve("logins.txt");
    }

    /**
     * Starts the gateway unless it runs, writing the users first if there are none, and waits until it is up.
     *
     * @param kafkaProperties the client properties of the gateway's principal, if the broker is secured
     */
    public String start(String bootstrapServers, Optional<Path> kafkaProperties, Duration timeout)
            throws LocalPlatformException {
        if (process.handle().isPresent()) {
            return status();
        }
        LocalProcess.requireFree(port);
        try {
            Files.createDirectories(dir);
            Path users = dir.resolve("users.json");
            if (!Files.exists(users)) {
                writeSampleUsers(users);
            }
            Path jar = classpathFile.resolveSibling("factstream-gateway.jar");
            if (!Files.exists(classpathFile) || !Files.exists(jar)) {
                throw new LocalPlatformException("the gateway is not built: " + jar + " and " + classpathFile
                        + " come from 'mvn -pl gateway -am package'");
            }
            String classpath = jar + ":" + Files.readString(classpathFile).strip();
            List<String> args = new ArrayList<>(List.of("--bootstrap-servers", bootstrapServers,
                    "--users", users.toString(), "--port", Integer.toString(port)));
            kafkaProperties.ifPresent(file -> args.addAll(List.of("--kafka-properties", file.toString())));
            Process gateway = process.startJava(classpath, List.of("-Xmx512m"), "io.factstream.gateway.GatewayMain",
                    args, dir);
            process.awaitReady(gateway, this::healthy, timeout);
            return status();
        } catch (IOException e) {
            throw new LocalPlatformException("cannot start the gateway: " + e.getMessage(), e);
        }
    }

    /** Stops the gateway (SIGTERM, then SIGKILL after the timeout); does nothing when it does not run. */
    public String stop(Duration timeout) throws LocalPlatformException {
        process.stop(timeout);
        return status();
    }

    public String status() {
        Optional<ProcessHandle> gateway = process.handle();
        if (gateway.isEmpty()) {
            return "stopped";
        }
        return (healthy() ? "running" : "not answering") + ", pid " + gateway.get().pid() + ", " + url()
                + " (logins: " + logins() + ")";
    }

    /** How to log in, with one customer's token. */
    public String howToLogIn() throws LocalPlatformException {
        return "log in as customer-1 with token " + tokens().getOrDefault("customer-1", "?")
                + "; every user's token is in " + logins();
    }

    /** Every sample user's token, by user id, as {@link #logins()} lists them. */
    public Map<String, String> tokens() throws LocalPlatformException {
        try {
            Map<String, String> tokens = new TreeMap<>();
            for (String line : Files.readAllLines(logins())) {
                String[] words = line.split(" ");
                if (!line.startsWith("#") && words.length >= 2) {
                    tokens.put(words[0], words[1]);
                }
            }
            return tokens;
        } catch (IOException e) {
            throw new LocalPlatformException("cannot read " + logins() + ": " + e.getMessage(), e);
        }
    }

    public Path outputFile() {
        return process.outputFile();
    }

    private boolean healthy() {
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    url().resolve("/api/health")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The sample users, each with a new random token; the tokens go to {@link #logins()}, readable by its owner only. */
    private void writeSampleUsers(Path users) throws IOException {
        List<Users.User> list = new ArrayList<>();
        List<String> logins = new ArrayList<>(List.of("# user token roles: log in on the web page, or send "
                + "'Authorization: Bearer <token>'"));
        for (int c = 0; c < CUSTOMERS; c++) {
            add("customer-" + c, Role.CUSTOMER, list, logins);
        }
        for (int c = 0; c < WorldGenerator.COOKS; c++) {
            add("cook-" + c, Role.KITCHEN_STAFF, list, logins);
        }
        for (int c = 0; c < WorldGenerator.COURIERS; c++) {
            add("courier-" + c, Role.COURIER, list, logins);
        }
        add("support-1", Role.SUPPORT, list, logins);
        Path file = logins();
        Files.write(file, logins);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the data directory's own permissions protect it
        }
        Users.write(users, list);
    }

    private static void add(String userId, Role role, List<Users.User> users, List<String> logins) {
        String token = Users.newToken();
        users.add(new Users.User(userId, List.of(role), Users.hash(token)));
        logins.add(userId + " " + token + " " + role);
    }
}
