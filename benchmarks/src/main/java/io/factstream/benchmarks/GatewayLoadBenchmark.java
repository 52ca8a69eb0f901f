package io.factstream.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

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
import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.local.LocalKafka;
import io.factstream.local.LocalPlatform;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command-to-outcome latency through the gateway on the local platform (broker, Flink cluster and gateway
 * processes, the six jobs), under an open-loop load: PlaceOrder commands sent at a fixed rate for a while, each
 * timed from its send to its answer. The baseline runs in the same run, on the same platform, at the same moments:
 * every tenth command is written straight to Kafka instead, its outcome read back by one follower (the gateway's
 * own outcome follower, in this JVM): what a command costs without HTTP just then. Platforms on this machine differ
 * from run to run by more than HTTP costs, so a baseline from another platform says little. The direct path alone
 * can be measured too. Every run has a fresh platform, so that none inherits another's backlog; the CPU time each
 * process spent during the measured load is reported next to the latencies.
 */
@Command(name = "gateway-load", mixinStandardHelpOptions = true,
        description = "Places orders over HTTP at a fixed rate and reports command-to-outcome latency.")
public final class GatewayLoadBenchmark implements Callable<Integer> {

    private static final String DIRECT = "Kafka direct, alone";
    private static final String HTTP = "HTTP through the gateway";
    private static final String BASELINE = "Kafka direct, every tenth command (baseline)";

    @Option(names = "--rates", split = ",", defaultValue = "200",
            description = "Commands per second, one run each (default: ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--duration", defaultValue = "PT60S",
            description = "Measured load per run (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warm-up", defaultValue = "PT30S",
            description = "Load before each measurement, not counted (default: ${DEFAULT-VALUE}).")
    Duration warmUp;

    @Option(names = "--checkpoint-intervals", split = ",", defaultValue = "PT0.2S,PT1S,PT2S",
            description = "Checkpoint intervals, one platform each (default: ${DEFAULT-VALUE}).")
    List<Duration> intervals;

    @Option(names = "--paths", split = ",", defaultValue = "http",
            description = "Which paths to measure: http (every tenth command written straight to Kafka as its "
                    + "baseline), direct (every command straight to Kafka) (default: ${DEFAULT-VALUE}).")
    List<String> paths;

    @Option(names = "--work-dir", defaultValue = "benchmarks/target/gateway-load",
            description = "Where the platforms live while they run (default: ${DEFAULT-VALUE}).")
    Path workDir;

    /** One measured run. */
    private record Result(String name, int rate, Duration interval, int sent, long answered, long errors,
                          Duration elapsed, List<Long> latenciesMs, Map<Integer, Long> statuses,
                          Map<String, Duration> cpu, String breakdown) {

        Result withBreakdown(String text) {
            return new Result(name, rate, interval, sent, answered, errors, elapsed, latenciesMs, statuses, cpu, text);
        }

        double perSecond() {
            return answered / (elapsed.toNanos() / 1e9);
        }

        long percentile(int p) {
            return GatewayLoadBenchmark.percentile(latenciesMs, p);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new GatewayLoadBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<List<Result>> runs = new ArrayList<>();
        for (int rate : rates) {
            for (Duration interval : intervals) {
                for (String path : paths) {
                    runs.add(measure(rate, interval, path));
                }
            }
        }
        print(runs);
        return runs.stream().flatMap(List::stream).allMatch(r -> r.errors() == 0) ? 0 : 1;
    }

    /** One path at one rate and checkpoint interval, on a platform of its own: its results, the baseline last. */
    private List<Result> measure(int rate, Duration interval, String path) throws Exception {
        Path dir = workDir.resolve(path + "-" + rate + "-per-s-ckpt-" + interval.toMillis() + "ms-"
                + System.currentTimeMillis()).toAbsolutePath();
        // Plaintext, like the baseline's raw Kafka round trip it is compared with.
        LocalPlatform platform = new LocalPlatform(LocalPlatform.Settings.onFreePorts(Path.of(""), dir,
                LocalKafka.Security.PLAINTEXT, "2560m", interval, Duration.ofMinutes(5)));
        try {
            platform.up().forEach(step -> System.out.println("  " + step));
            String servers = platform.kafka().bootstrapServers();
            return switch (path) {
                case "direct" -> direct(servers, rate, interval, dir);
                case "http" -> http(platform.gateway().url(), platform.gateway().tokens(), servers, rate,
                        interval, dir);
                default -> throw new CommandLine.ParameterException(new CommandLine(this),
                        "no path " + path + ": direct or http");
            };
        } finally {
            platform.down();
        }
    }

    /** Every command written straight to Kafka, its outcome read back by one follower. */
    private List<Result> direct(String servers, int rate, Duration interval, Path platform) throws Exception {
        try (DirectSender direct = new DirectSender(servers, interval)) {
            return load(List.of(DIRECT), rate, interval, platform, n -> false, direct::send);
        }
    }

    /** PlaceOrder commands written straight to the orders' commands topic, their outcomes read by one follower. */
    private static final class DirectSender implements AutoCloseable {

        private final SingleObjectCodec<CommandEnvelope> codec = SingleObjectCodec.forType(CommandEnvelope.class);
        private final CommandOutcomes outcomes;
        private final KafkaProducer<byte[], byte[]> producer;
        private final Duration interval;

        DirectSender(String servers, Duration interval) {
            this.outcomes = CommandOutcomes.start(servers, Duration.ZERO, 100_000);
            this.producer = KafkaConnection.to(servers)
                    .producer(Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "1"));
            this.interval = interval;
        }

        CompletableFuture<Integer> send(int n) {
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
        }

        @Override
        public void close() throws InterruptedException {
            producer.close();
            outcomes.close();
        }
    }

    /**
     * Through the gateway: POST PlaceOrder as the customer, answered with the outcome. A follower in this JVM notes
     * when each order's first event became readable and when the gateway stamped its command (the event carries
     * the command's creation time), which parts the answer's latency into the client's way to the gateway, the
     * platform's, and the gateway's way back.
     */
    private List<Result> http(URI gateway, Map<String, String> tokens, String servers, int rate, Duration interval,
                              Path platform) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build();
        Map<String, Instant> stamped = new ConcurrentHashMap<>();
        Map<String, Instant> readable = new ConcurrentHashMap<>();
        Map<String, Instant> sent = new ConcurrentHashMap<>();
        Map<String, Instant> answered = new ConcurrentHashMap<>();
        try (CommandOutcomes outcomes = CommandOutcomes.start(servers, Duration.ZERO, 1_000);
             DirectSender direct = new DirectSender(servers, interval)) {
            outcomes.onEvent(stored -> {
                readable.putIfAbsent(stored.event().getAggregateId(), Instant.now());
                stamped.putIfAbsent(stored.event().getAggregateId(), stored.event().getCreationTimestamp());
            });
            IntPredicate baseline = n -> n % 10 == 9;
            List<Result> results = load(List.of(HTTP, BASELINE), rate, interval, platform, baseline, n -> {
                if (baseline.test(n)) {
                    return direct.send(n);
                }
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
                boolean measured = n >= warmUpCommands(rate);
                if (measured) {
                    sent.put(orderId, Instant.now());
                }
                return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                        .thenApply(response -> {
                            if (measured) {
                                answered.put(orderId, Instant.now());
                            }
                            return response.statusCode();
                        });
            });
            String breakdown = "client to gateway %s, gateway to first event readable %s, readable to answered %s"
                    .formatted(between(sent, stamped), between(stamped, readable), between(readable, answered));
            System.out.println("  where the time went (p50/p99 ms): " + breakdown);
            return List.of(results.get(0).withBreakdown(breakdown), results.get(1));
        } finally {
            executor.shutdownNow();
        }
    }

    /** The p50 and p99 of the time from each order's first instant to its second, where there are both. */
    private static String between(Map<String, Instant> from, Map<String, Instant> to) {
        List<Long> millis = new ArrayList<>();
        from.forEach((orderId, start) -> Optional.ofNullable(to.get(orderId))
                .ifPresent(end -> millis.add(Duration.between(start, end).toMillis())));
        millis.sort(Comparator.naturalOrder());
        return percentile(millis, 50) + "/" + percentile(millis, 99);
    }

    private int warmUpCommands(int rate) {
        return (int) (warmUp.toNanos() / periodNanos(rate));
    }

    private static long periodNanos(int rate) {
        return 1_000_000_000L / rate;
    }

    /**
     * Sends command {@code n} every {@code 1/rate} seconds, whether the earlier ones are answered or not (an open
     * loop, as independent clients are), first for the warm-up, then for the measured duration; waits for every
     * answer. An answer other than 201 Created, or none, is an error. The commands {@code inBaseline} picks are
     * counted apart: a result per name, the baseline's second.
     */
    private List<Result> load(List<String> names, int rate, Duration interval, Path platform, IntPredicate inBaseline,
                              IntFunction<CompletableFuture<Integer>> send) throws Exception {
        long periodNanos = periodNanos(rate);
        int warmUpCommands = warmUpCommands(rate);
        int measuredCommands = (int) (duration.toNanos() / periodNanos);
        List<Answers> answersOf = names.stream().map(name -> new Answers()).toList();
        List<CompletableFuture<?>> answers = Collections.synchronizedList(new ArrayList<>());
        AtomicLong next = new AtomicLong();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        CompletableFuture<Void> allSent = new CompletableFuture<>();
        Instant[] measuredFrom = new Instant[1];
        List<Map<String, Duration>> cpuAtStart = new ArrayList<>();
        clock.scheduleAtFixedRate(() -> {
            int n = (int) next.getAndIncrement();
            if (n >= warmUpCommands + measuredCommands) {
                allSent.complete(null);
                return;
            }
            boolean measured = n >= warmUpCommands;
            if (n == warmUpCommands) {
                measuredFrom[0] = Instant.now();
                cpuAtStart.add(cpu(platform));
            }
            Answers counted = answersOf.get(inBaseline.test(n) ? 1 : 0);
            counted.sent.incrementAndGet();
            long start = System.nanoTime();
            CompletableFuture<Integer> answer;
            try {
                answer = send.apply(n);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answers.add(answer.orTimeout(30, TimeUnit.SECONDS).whenComplete((status, error) -> {
                if (measured) {
                    counted.add((System.nanoTime() - start) / 1_000_000, error != null ? -1 : status);
                }
            }));
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        allSent.get();
        clock.shutdownNow();
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get();
        Duration elapsed = Duration.between(measuredFrom[0], Instant.now());
        Map<String, Duration> cpu = new TreeMap<>(cpu(platform));
        cpu.replaceAll((process, total) -> total.minus(cpuAtStart.get(0).getOrDefault(process, Duration.ZERO)));
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Result result = answersOf.get(i).result(names.get(i), rate, interval, elapsed, cpu);
            System.out.printf("%s, %d/s offered at %s checkpoints: %d answered, p50 %d ms, p99 %d ms, answers %s, "
                    + "CPU s %s%n", result.name(), rate, interval, result.answered(), result.percentile(50),
                    result.percentile(99), result.statuses(), cpuSeconds(cpu));
            results.add(result);
        }
        return results;
    }

    /** The answers of one kind of command: latencies and statuses of the measured ones. */
    private static final class Answers {

        final AtomicLong sent = new AtomicLong();
        private final List<Long> latencies = new ArrayList<>();
        private final Map<Integer, Long> statuses = new TreeMap<>();
        private long errors;

        synchronized void add(long latencyMs, int status) {
            latencies.add(latencyMs);
            statuses.merge(status, 1L, Long::sum);
            if (status != 201) {
                errors++;
            }
        }

        synchronized Result result(String name, int rate, Duration interval, Duration elapsed,
                                   Map<String, Duration> cpu) {
            List<Long> sorted = new ArrayList<>(latencies);
            sorted.sort(Comparator.naturalOrder());
            return new Result(name, rate, interval, (int) sent.get(), sorted.size(), errors, elapsed, sorted,
                    new TreeMap<>(statuses), cpu, "");
        }
    }

    private void print(List<List<Result>> runs) {
        System.out.printf("%nPlaceOrder commands offered at a fixed rate for %s after a %s warm-up, open loop%n",
                duration, warmUp);
        System.out.println("| offered/s | checkpoint interval | path | answered/s | p50 ms | p99 ms | max ms | errors "
                + "| p99 vs baseline | p99 target (interval + 500 ms) | CPU s of the processes "
                + "| p50/p99 ms of the parts |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (List<Result> run : runs) {
            Result baseline = run.get(run.size() - 1);
            for (Result result : run) {
                long target = result.interval().toMillis() + 500;
                System.out.printf("| %d | %s | %s | %.0f | %d | %d | %d | %d | %.2f | %d ms: %s | %s | %s |%n",
                        result.rate(), result.interval(), result.name(), result.perSecond(), result.percentile(50),
                        result.percentile(99), result.percentile(100), result.errors(),
                        (double) result.percentile(99) / Math.max(1, baseline.percentile(99)), target,
                        result.percentile(99) <= target ? "met" : "missed", cpuSeconds(result.cpu()),
                        result.breakdown().isEmpty() ? "-" : result.breakdown());
            }
        }
    }

    /**
     * CPU time so far of the platform's processes under {@code platform} (named by the marker the local platform
     * starts them with) and of this load generator.
     */
    private static Map<String, Duration> cpu(Path platform) {
        Map<String, Duration> cpu = new TreeMap<>();
        String marker = "-Dfactstream.process=";
        ProcessHandle.allProcesses().forEach(process -> process.info().commandLine()
                .filter(line -> line.contains(marker) && line.contains(platform.toString()))
                .ifPresent(line -> {
                    String named = line.substring(line.indexOf(marker) + marker.length());
                    cpu.put(named.substring(0, named.indexOf('@')),
                            process.info().totalCpuDuration().orElse(Duration.ZERO));
                }));
        cpu.put("load generator", ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO));
        return cpu;
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
    }

    private static String cpuSeconds(Map<String, Duration> cpu) {
        StringBuilder text = new StringBuilder();
        cpu.forEach((process, time) -> text.append(text.isEmpty() ? "" : ", ").append(process).append(' ')
                .append(time.toMillis() / 1000));
        return text.toString();
    }

    private static PlaceOrder placeOrder(String customer) {
        return new PlaceOrder(customer, List.of(new OrderLine("MARGHERITA", PizzaSize.LARGE, 1)),
                new Address("Via Roma 1", "Napoli", "80100"), null);
    }
}
