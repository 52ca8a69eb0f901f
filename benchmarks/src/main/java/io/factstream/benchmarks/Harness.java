package io.factstream.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

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

/**
 * What the benchmark harnesses share: the orders command log they feed, a checked producer, how a Flink job is
 * timed, and how rates are summed up.
 */
final class Harness {

    private Harness() {
    }

    /** One measured run: how many records it moved in how long. */
    record Run(String name, long records, Duration elapsed) {
        double perSecond() {
            return records / (elapsed.toNanos() / 1e9);
        }
    }

    /**
     * The command records of {@code orders} order lifecycles (place, confirm, dispatch, complete): 4 per order,
     * each order's in order, the lifecycles interleaved within windows of 1,000 orders as concurrent orders are.
     */
    static List<ProducerRecord<byte[], byte[]>> orderCommands(int orders) {
        SingleObjectCodec<CommandEnvelope> codec = SingleObjectCodec.forType(CommandEnvelope.class);
        Address address = new Address("Via Roma 1", "Napoli", "80100");
        List<OrderLine> lines = List.of(new OrderLine("MARGHERITA", PizzaSize.LARGE, 2),
                new OrderLine("DIAVOLA", PizzaSize.SMALL, 1));
        long total = 2 * Menu.standard().priceCents("MARGHERITA", PizzaSize.LARGE).orElseThrow()
                + Menu.standard().priceCents("DIAVOLA", PizzaSize.SMALL).orElseThrow();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(orders * 4);
        int window = 1_000;
        for (int first = 0; first < orders; first += window) {
            int last = Math.min(orders, first + window);
            for (int step = 0; step < 4; step++) {
                for (int order = first; order < last; order++) {
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
                    records.add(new ProducerRecord<>(BoundedContext.ORDERS.commandsTopic(), orderId.getBytes(UTF_8),
                            codec.encode(command)));
                }
            }
        }
        return records;
    }

    /** Writes the records and checks every send: a lost record would make every rate wrong. */
    static void produce(String servers, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
            records.forEach(r -> sent.add(producer.send(r)));
            producer.flush();
            for (Future<RecordMetadata> future : sent) {
                future.get();
            }
        }
    }

    /**
     * How long a submitted job takes from RUNNING (every task deployed) to FINISHED (every output committed); the
     * job's start-up is not counted.
     */
    static Duration runToFinish(JobClient job) throws Exception {
        while (job.getJobStatus().get() != JobStatus.RUNNING) {
            Thread.onSpinWait();
        }
        Instant start = Instant.now();
        job.getJobExecutionResult().get();
        return Duration.between(start, Instant.now());
    }

    /** Prints one round: each run's rate and its ratio to the rate of the run named as its baseline. */
    static void print(String title, List<Run> runs, List<Integer> baselines, String versus) {
        System.out.printf("%n%s%n%-70s %9s %9s %12s %12s%n", title, "run", "records", "seconds", "records/s",
                versus);
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            System.out.printf("%-70s %9d %9.2f %12.0f %12.2f%n", run.name(), run.records(),
                    run.elapsed().toMillis() / 1000.0, run.perSecond(),
                    run.perSecond() / runs.get(baselines.get(i)).perSecond());
        }
    }

    /** Per run, the median rate and the median of its per-round ratios to its baseline. */
    static void printMedians(List<List<Run>> rounds, List<Integer> baselines, String versus) {
        System.out.printf("%nmedian of %d rounds%n%-70s %12s %12s%n", rounds.size(), "run", "records/s", versus);
        for (int i = 0; i < rounds.get(0).size(); i++) {
            int run = i;
            int baseline = baselines.get(i);
            List<Double> rates = rounds.stream().map(r -> r.get(run).perSecond()).sorted().toList();
            List<Double> ratios = rounds.stream()
                    .map(r -> r.get(run).perSecond() / r.get(baseline).perSecond()).sorted().toList();
            System.out.printf("%-70s %12.0f %12.2f%n", rounds.get(0).get(run).name(), median(rates),
                    median(ratios));
        }
    }

    private static double median(List<Double> sorted) {
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
