package io.factstream.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.factstream.catalog.Address;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.gateway.commands.CommandOutcomes;
import io.factstream.gateway.commands.Outcome;
import io.factstream.local.LocalPlatform;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command-to-outcome latency through the gateway on the local platform (broker, Flink cluster and gateway
 * processes, the six jobs), under an open-loop load: PlaceOrder commands sent at a fixed rate for a while, each
 * timed from its send to its answer. The baseline, measured in the same run on the same platform, is the same
 * commands written straight to Kafka and their outcomes read back by one consumer (the gateway's own outcome
 * follower, in this JVM): what the platform costs without HTTP. Once per checkpoint interval, each on a fresh
 * platform.
 */
@Command(name = "gateway-load", mixinStandardHelpOptions = true,
        description = "Places orders over HTTP at a fixed rate and reports command-to-outcome latency.")
public final class GatewayLoadBenchmark implements Callable<Integer> {

    @Option(names = "--rate", defaultValue = "200", description = "Commands per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", defaultValue = "PT60S", description = "Measured load per run (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warm-up", defaultValue = "PT15S",
            description = "Load before each measurement, not counted (default: ${DEFAULT-VALUE}).")
    Duration warmUp;

    @Option(names = "--checkpoint-intervals", split = ",", defaultValue = "PT0.2S,PT1S,PT2S",
            description = "Checkpoint intervals, one platform each (default: ${DEFAULT-VALUE}).")
    List<Duration> intervals;

    @Option(names = "--work-dir", defaultValue = "benchmarks/target/gateway-load",
            description = "Where the platforms live while they run (default: ${DEFAULT-VALUE}).")
    Path workDir;

    /** One measured run. */
    private record Result(String name, Duration interval, int sent, long answered, long errors, Duration elapsed,
                          List<Long> latenciesMs, Map<Integer, Long> statuses) {

        double perSecond() {
            return answered / (elapsed.toNanos() / 1e9);
        }

        long percentile(int p) {
            return latenciesMs.isEmpty() ? -1 : latenciesMs.get(Math.min(latenciesMs.size() - 1,
                    latenciesMs.size() * p / 100));
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new GatewayLoadBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<Result> results = new ArrayList<>();
        for (Duration interval : intervals) {
            Path dir = workDir.resolve("ckpt-" + interval.toMillis() + "ms-" + System.currentTimeMillis());
            LocalPlatform platform = new LocalPlatform(LocalPlatform.Settings.onFreePorts(Path.of(""), dir,
                    "2560m", interval, Duration.ofMinutes(5)));
            try {
                platform.up().forEach(step -> System.out.println("  " + step));
                Map<String, String> tokens = tokens(platform.gateway().logins());
                String servers = platform.kafka().bootstrapServers();
                results.add(direct(servers, interval));
                results.add(http(platform.gateway().url(), tokens, interval));
            } finally {
                platform.down();
            }
        }
        print(results);
        return results.stream().allMatch(r -> r.errors() == 0) ? 0 : 1;
    }

    /** The baseline: commands written to Kafka, outcomes read back by one follower. */
    private Result direct(String servers, Duration interval) throws Exception {
        SingleObjectCodec<CommandEnvelope> codec = SingleObjectCodec.forType(CommandEnvelope.class);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        try (CommandOutcomes outcomes = CommandOutcomes.start(servers, Duration.ZERO, 100_000);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            return load("kafka direct, one outcome consumer", interval, n -> {
                String customer = "customer-" + n % 300;
                String orderId = "order-direct-" + interval.toMillis() + "-" + n;
                CommandEnvelope command = CommandEnvelopes.builder(placeOrder(customer))
                        .setCommandId(UUID.randomUUID().toString()).setSubjectId(orderId).setUserId(customer)
                        .setRoles(List.of("CUSTOMER")).setCreationTimestamp(Instant.now()).setCorrelationId(orderId)
                        .build();
                CompletableFuture<Outcome> outcome = outcomes.outcomeOf(command.getCommandId());
                producer.send(new ProducerRecord<>(BoundedContext.ORDERS.commandsTopic(), orderId.getBytes(UTF_8),
                        codec.encode(command)));
                return outcome.thenApply(Outcome::status);
            });
        }
    }

    /** Through the gateway: POST PlaceOrder as the customer, answered with the outcome. */
    private Result http(URI gateway, Map<String, String> tokens, Duration interval) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build();
        try {
            return load("HTTP through the gateway", interval, n -> {
                String customer = "customer-" + n % 300;
                String orderId = "order-http-" + interval.toMillis() + "-" + n;
                String body = """
                        {"customerId": "%s", "lines": [{"pizza": "MARGHERITA", "size": "LARGE", "quantity": 1}],
                         "deliveryAddress": {"street": "Via Roma 1", "city": "Napoli", "postalCode": "80100"}}"""
                        .formatted(customer);
                HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/api/orders/" + orderId + "/PlaceOrder"))
                        .header("Authorization", "Bearer " + tokens.get(customer))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                        .thenApply(HttpResponse::statusCode);
            });
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * Sends command {@code n} every {@code 1/rate} seconds, whether the earlier ones are answered or not (an open
     * loop, as independent clients are), first for the warm-up, then for the measured duration; waits for every
     * answer. An answer other than 201 Created, or none, is an error.
     */
    private Result load(String name, Duration interval, IntFunction<CompletableFuture<Integer>> send)
            throws Exception {
        long periodNanos = 1_000_000_000L / rate;
        int warmUpCommands = (int) (warmUp.toNanos() / periodNanos);
        int measuredCommands = (int) (duration.toNanos() / periodNanos);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, Long> statuses = Collections.synchronizedMap(new TreeMap<>());
        AtomicLong errors = new AtomicLong();
        List<CompletableFuture<?>> answers = Collections.synchronizedList(new ArrayList<>());
        AtomicLong next = new AtomicLong();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        CompletableFuture<Void> allSent = new CompletableFuture<>();
        Instant[] measuredFrom = new Instant[1];
        clock.scheduleAtFixedRate(() -> {
            int n = (int) next.getAndIncrement();
            if (n >= warmUpCommands + measuredCommands) {
                allSent.complete(null);
                return;
            }
            boolean measured = n >= warmUpCommands;
            if (n == warmUpCommands) {
                measuredFrom[0] = Instant.now();
            }
            long start = System.nanoTime();
            CompletableFuture<Integer> answer;
            try {
                answer = send.apply(n);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answers.add(answer.orTimeout(30, TimeUnit.SECONDS).whenComplete((status, error) -> {
                if (measured) {
                    latencies.add((System.nanoTime() - start) / 1_000_000);
                    statuses.merge(error != null ? -1 : status, 1L, Long::sum);
                    if (error != null || status != 201) {
                        errors.incrementAndGet();
                    }
                }
            }));
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        allSent.get();
        clock.shutdownNow();
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get();
        Duration elapsed = Duration.between(measuredFrom[0], Instant.now());
        List<Long> sorted = new ArrayList<>(latencies);
        sorted.sort(Comparator.naturalOrder());
        Result result = new Result(name, interval, measuredCommands, sorted.size(), errors.get(), elapsed, sorted,
                new TreeMap<>(statuses));
        System.out.printf("%s at %s checkpoints: %d answered, p50 %d ms, p99 %d ms, answers %s%n", name, interval,
                result.answered(), result.percentile(50), result.percentile(99), result.statuses());
        return result;
    }

    private void print(List<Result> results) {
        System.out.printf("%n%d PlaceOrder/s offered for %s after a %s warm-up, open loop%n", rate, duration, warmUp);
        System.out.println("| checkpoint interval | path | commands/s | p50 ms | p99 ms | max ms | errors "
                + "| p99 vs baseline | p99 target (interval + 500 ms) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (int i = 0; i < results.size(); i++) {
            Result result = results.get(i);
            Result baseline = results.get(i - i % 2);
            long target = result.interval().toMillis() + 500;
            System.out.printf("| %s | %s | %.0f | %d | %d | %d | %d | %.2f | %d ms: %s |%n", result.interval(),
                    result.name(), result.perSecond(), result.percentile(50), result.percentile(99),
                    result.latenciesMs().isEmpty() ? -1 : result.latenciesMs().get(result.latenciesMs().size() - 1),
                    result.errors(), (double) result.percentile(99) / Math.max(1, baseline.percentile(99)), target,
                    result.percentile(99) <= target ? "met" : "missed");
        }
    }

    private static PlaceOrder placeOrder(String customer) {
        return new PlaceOrder(customer, List.of(new OrderLine("MARGHERITA", PizzaSize.LARGE, 1)),
                new Address("Via Roma 1", "Napoli", "80100"), null);
    }

    /** The sample users' tokens, from the gateway's logins file. */
    private static Map<String, String> tokens(Path logins) throws Exception {
        Map<String, String> tokens = new TreeMap<>();
        for (String line : Files.readAllLines(logins)) {
            if (!line.startsWith("#")) {
                String[] words = line.split(" ");
                tokens.put(words[0], words[1]);
            }
        }
        return tokens;
    }
}
