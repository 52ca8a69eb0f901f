package io.factstream.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import io.factstream.catalog.Address;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.orders.CompleteOrder;
import io.factstream.catalog.orders.ConfirmOrder;
import io.factstream.catalog.orders.MarkOrderDispatched;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.domain.shared.Menu;
import io.factstream.kafka.clients.KafkaConnection;

/**
 * What the benchmark harnesses share: the orders command log they feed, a checked producer, and how a run is
 * measured and summed up. A run is measured by what it writes, not by what it is given: an {@link OutputMeter}
 * counts its committed outputs (a run that writes more or fewer than it must fails the benchmark) and notes when
 * they became visible, so that each run has an end-to-end rate (start-up, deployment and the last commit
 * included) and a steady-state rate (from its first visible output to its last), and the CPU time its process and
 * the brokers spent on it.
 */
final class Harness {

    private Harness() {
    }

    /** The body of a run: returns once the run is over (a job finished, a pipe committed its last records). */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /** Where a run writes and how many records it must write there; -1 when that is what the run tells. */
    record Outputs(String servers, List<String> topics, long expected) {
    }

    /**
     * One measured run.
     *
     * @param inputs          the records it read
     * @param outputs         the records it wrote, as counted
     * @param endToEnd        from its start to its last output visible
     * @param steadyPerSecond inputs per second from its first visible output to its last (NaN when they became
     *                        visible at once, as a BATCH job's do)
     * @param processCpu      CPU time of this process (the job's MiniCluster, or the pipe) during the run, the
     *                        output meter's own left out
     * @param brokerCpu       CPU time of the broker processes during the run
     */
    record Run(String name, long inputs, long outputs, Duration endToEnd, double steadyPerSecond, Duration processCpu,
               Duration brokerCpu) {

        double endToEndPerSecond() {
            return inputs / seconds(endToEnd);
        }

        double processCpuPerMillion() {
            return seconds(processCpu) * 1e6 / inputs;
        }

        double brokerCpuPerMillion() {
            return seconds(brokerCpu) * 1e6 / inputs;
        }
    }

    /**
     * Measures a run: starts counting its outputs, runs it, waits until all it committed is counted, and fails when
     * it wrote other than {@code outputs.expected()} records (when that is known). Without outputs (a job that writes nowhere) its
     * outputs are taken to be its inputs and it has no steady-state rate.
     */
    static Run measure(String name, long inputs, Outputs outputs, List<Long> brokerPids, Body body) throws Exception {
        if (outputs == null) {
            Duration processCpu = cpu(ProcessHandle.current().pid());
            Duration brokerCpu = cpu(brokerPids);
            Instant start = Instant.now();
            body.run();
            Duration elapsed = Duration.between(start, Instant.now());
            return new Run(name, inputs, inputs, elapsed, Double.NaN,
                    cpu(ProcessHandle.current().pid()).minus(processCpu), cpu(brokerPids).minus(brokerCpu));
        }
        try (OutputMeter meter = OutputMeter.start(outputs.servers(), outputs.topics())) {
            Duration processCpu = cpu(ProcessHandle.current().pid());
            Duration brokerCpu = cpu(brokerPids);
            Instant start = Instant.now();
            body.run();
            Instant over = Instant.now();
            OutputMeter.Counted counted = meter.finish(Duration.ofMinutes(2));
            Instant end = counted.last() != null && counted.last().isAfter(over) ? counted.last() : over;
            if (outputs.expected() >= 0 && counted.records() != outputs.expected()) {
                throw new IllegalStateException(name + " wrote " + counted.records() + " records to "
                        + outputs.topics() + ", not the " + outputs.expected() + " it must write");
            }
            return new Run(name, inputs, counted.records(), Duration.between(start, end),
                    counted.steadyPerSecond() * inputs / counted.records(),
                    cpu(ProcessHandle.current().pid()).minus(processCpu).minus(counted.readerCpu()),
                    cpu(brokerPids).minus(brokerCpu));
        }
    }

    /** The CPU time a process has spent so far (user and system, as /proc has it). */
    static Duration cpu(long pid) {
        return ProcessHandle.of(pid).flatMap(process -> process.info().totalCpuDuration())
                .orElseThrow(() -> new IllegalStateException("no CPU time of process " + pid));
    }

    private static Duration cpu(List<Long> pids) {
        return pids.stream().map(Harness::cpu).reduce(Duration.ZERO, Duration::plus);
    }

    /**
     * Hands over the command records of orders {@code first} to {@code first + orders - 1}, each a lifecycle of 4
     * commands (place, confirm, dispatch, complete), each order's in order, the lifecycles interleaved within
     * windows of 1,000 orders as concurrent orders are. The same orders give the same records, ids included.
     */
    static void orderCommands(int first, int orders, Consumer<ProducerRecord<byte[], byte[]>> records) {
        SingleObjectCodec<CommandEnvelope> codec = SingleObjectCodec.forType(CommandEnvelope.class);
        Address address = new Address("Via Roma 1", "Napoli", "80100");
        List<OrderLine> lines = List.of(new OrderLine("MARGHERITA", PizzaSize.LARGE, 2),
                new OrderLine("DIAVOLA", PizzaSize.SMALL, 1));
        long total = 2 * Menu.standard().priceCents("MARGHERITA", PizzaSize.LARGE).orElseThrow()
                + Menu.standard().priceCents("DIAVOLA", PizzaSize.SMALL).orElseThrow();
        int window = 1_000;
        int end = first + orders;
        for (int from = first; from < end; from += window) {
            int to = Math.min(end, from + window);
            for (int step = 0; step < 4; step++) {
                for (int order = from; order < to; order++) {
                    String orderId = "order-" + order;
                    String customer = "customer-" + order % 5_000;
                    SpecificRecord data = switch (step) {
                        case 0 -> new PlaceOrder(customer, lines, address, null);
                        case 1 -> new ConfirmOrder(total);
                        case 2 -> new MarkOrderDispatched("courier-" + order % 50);
                        default -> new CompleteOrder(total);
                    };
                    CommandEnvelope command = CommandEnvelopes.builder(data)
                            .setCommandId(UUID.nameUUIDFromBytes((orderId + "/" + step).getBytes(UTF_8)).toString())
                            .setSubjectId(orderId)
                            .setUserId(step == 0 ? customer : "order-fulfilment")
                            .setCreationTimestamp(Instant.now())
                            .setRoles(List.of(step == 0 ? "CUSTOMER" : "SYSTEM"))
                            .setCorrelationId(orderId)
                            .build();
                    records.accept(new ProducerRecord<>(BoundedContext.ORDERS.commandsTopic(),
                            orderId.getBytes(UTF_8), codec.encode(command)));
                }
            }
        }
    }

    /**
     * Writes the commands of orders {@code first} to {@code first + orders - 1} and checks every send: a lost
     * record would make every rate wrong. Returns how many it wrote.
     */
    static long produceOrders(String servers, int first, int orders) {
        Map<String, Object> props = Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "20");
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<Exception> failed = new AtomicReference<>();
        long sent;
        try (KafkaProducer<byte[], byte[]> producer = KafkaConnection.to(servers).producer(props)) {
            AtomicLong count = new AtomicLong();
            orderCommands(first, orders, record -> {
                count.incrementAndGet();
                producer.send(record, (metadata, e) -> {
                    if (e != null) {
                        failed.compareAndSet(null, e);
                    } else {
                        acknowledged.incrementAndGet();
                    }
                });
            });
            producer.flush();
            sent = count.get();
        }
        if (failed.get() != null || acknowledged.get() != sent) {
            throw new IllegalStateException("of " + sent + " command records, " + acknowledged.get()
                    + " were acknowledged", failed.get());
        }
        return sent;
    }

    /**
     * Waits until every partition of every topic answers for its end offsets, which only a leader that is ready
     * does: an idempotent producer that writes to a partition just created can otherwise get a NOT_LEADER answer,
     * then out-of-sequence errors until its records expire.
     */
    static void awaitLeaders(String servers) throws Exception {
        KafkaConnection connection = KafkaConnection.to(servers);
        try (Admin admin = connection.admin(Map.of());
             KafkaConsumer<byte[], byte[]> consumer = connection.consumer(Map.of())) {
            List<TopicPartition> partitions = admin.describeTopics(admin.listTopics().names().get()).allTopicNames()
                    .get().values().stream()
                    .flatMap(topic -> topic.partitions().stream()
                            .map(partition -> new TopicPartition(topic.name(), partition.partition())))
                    .toList();
            consumer.endOffsets(partitions, Duration.ofSeconds(60));
        }
    }

    /** Prints one round: each run's rates, their ratios to its baseline's, and its CPU time per million inputs. */
    static void print(String title, List<Run> runs, List<Integer> baselines, String versus) {
        System.out.printf("%n%s%n", title);
        header(versus);
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            Run baseline = runs.get(baselines.get(i));
            row(run.name(), run.inputs(), run.outputs(), seconds(run.endToEnd()), run.endToEndPerSecond(),
                    run.steadyPerSecond(), run.endToEndPerSecond() / baseline.endToEndPerSecond(),
                    run.steadyPerSecond() / baseline.steadyPerSecond(), run.processCpuPerMillion(),
                    run.brokerCpuPerMillion());
        }
    }

    /** Per run, the medians over the rounds of each figure (a ratio's median is that of its per-round ratios). */
    static void printMedians(List<List<Run>> rounds, List<Integer> baselines, String versus) {
        System.out.printf("%nmedian of %d rounds%n", rounds.size());
        header(versus);
        for (int i = 0; i < rounds.get(0).size(); i++) {
            int index = i;
            int baseline = baselines.get(i);
            Run first = rounds.get(0).get(i);
            ToDoubleFunction<ToDoubleFunction<List<Run>>> median =
                    figure -> median(rounds.stream().mapToDouble(figure).toArray());
            row(first.name(), first.inputs(), first.outputs(),
                    median.applyAsDouble(r -> seconds(r.get(index).endToEnd())),
                    median.applyAsDouble(r -> r.get(index).endToEndPerSecond()),
                    median.applyAsDouble(r -> r.get(index).steadyPerSecond()),
                    median.applyAsDouble(r -> r.get(index).endToEndPerSecond() / r.get(baseline).endToEndPerSecond()),
                    median.applyAsDouble(r -> r.get(index).steadyPerSecond() / r.get(baseline).steadyPerSecond()),
                    median.applyAsDouble(r -> r.get(index).processCpuPerMillion()),
                    median.applyAsDouble(r -> r.get(index).brokerCpuPerMillion()));
        }
    }

    private static void header(String versus) {
        System.out.printf("%-62s %9s %9s %8s %11s %11s %9s %9s %9s %9s%n", "run", "inputs", "outputs", "e2e s",
                "e2e in/s", "steady in/s", "e2e " + versus, "steady", "CPU s/1M", "broker");
    }

    private static void row(String name, long inputs, long outputs, double seconds, double endToEnd, double steady,
                            double endToEndRatio, double steadyRatio, double cpu, double brokerCpu) {
        System.out.printf("%-62s %9d %9d %8.2f %11.0f %11s %9.2f %9s %9.2f %9.2f%n", name, inputs, outputs, seconds,
                endToEnd, Double.isNaN(steady) ? "-" : String.format("%.0f", steady), endToEndRatio,
                Double.isNaN(steadyRatio) ? "-" : String.format("%.2f", steadyRatio), cpu, brokerCpu);
    }

    /** The median, NaN values (runs without a steady state) left out; NaN when all are. */
    private static double median(double[] values) {
        double[] sorted = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
