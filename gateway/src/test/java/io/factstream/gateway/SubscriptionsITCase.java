package io.factstream.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.UnixOperatingSystemMXBean;

import io.factstream.gateway.live.EventStreamClient;

/**
 * Live subscriptions: every version in order, exactly what was missed after a reconnect with
 * {@code Last-Event-ID}, and a thousand subscribers at once whose resources are all given back when they go.
 */
class SubscriptionsITCase {

    @RegisterExtension
    static final GatewayTestPlatform.Shared PLATFORM = new GatewayTestPlatform.Shared();

    private static GatewayClient client;

    @BeforeAll
    static void connect() {
        client = new GatewayClient(PLATFORM.get().gateway.url());
    }

    @Test
    void aSubscriberToAnOrderSeesEveryVersionInOrder() throws Exception {
        client.fund("customer-20", 10_000);
        EventStreamClient subscriber = client.live("customer-20", "/api/live/views/order-status/order-sse-1", null);
        Awaitility.await().until(subscriber::connected);

        assertThat(client.placeOrder("customer-20", "order-sse-1").status()).isEqualTo(201);
        client.cookAndDeliver("order-sse-1");

        Awaitility.await("the order completed, live").atMost(Duration.ofSeconds(30))
                .until(() -> statuses(subscriber).contains("COMPLETED"));
        subscriber.disconnect();
        List<Long> versions = subscriber.messages().stream().map(m -> m.json().get("version").asLong()).toList();
        assertThat(versions).isEqualTo(historyVersions("order-sse-1"));
        assertThat(versions).startsWith(1L).isSorted().doesNotHaveDuplicates();
        assertThat(subscriber.messages()).allSatisfy(m -> assertThat(m.id())
                .isEqualTo(m.json().get("version").asText()));
    }

    @Test
    void aReconnectingSubscriberGetsExactlyWhatItMissed() throws Exception {
        client.fund("customer-21", 10_000);
        EventStreamClient row = client.live("customer-21", "/api/live/views/order-status/order-sse-2", null);
        EventStreamClient stream = client.live("customer-21", "/api/live/streams/orders/order-sse-2", null);
        EventStreamClient view = client.live("customer-21", "/api/live/views/order-status?prefix=order-sse-2", null);
        Awaitility.await().until(() -> row.connected() && stream.connected() && view.connected());
        assertThat(client.placeOrder("customer-21", "order-sse-2").status()).isEqualTo(201);
        Awaitility.await("the first versions").atMost(Duration.ofSeconds(30))
                .until(() -> statuses(row).contains("CONFIRMED") && stream.messages().size() >= 2
                        && statuses(view).contains("CONFIRMED"));
        row.disconnect();
        stream.disconnect();
        view.disconnect();
        List<EventStreamClient.Message> rowBefore = row.messages();
        List<EventStreamClient.Message> streamBefore = stream.messages();
        List<EventStreamClient.Message> viewBefore = view.messages();

        client.cookAndDeliver("order-sse-2"); // what happens while they are away
        Awaitility.await("the order completed").atMost(Duration.ofSeconds(30))
                .until(() -> historyStatuses("order-sse-2").contains("COMPLETED"));
        EventStreamClient rowAgain = client.live("customer-21", "/api/live/views/order-status/order-sse-2",
                last(rowBefore).id());
        EventStreamClient streamAgain = client.live("customer-21", "/api/live/streams/orders/order-sse-2",
                last(streamBefore).id());
        EventStreamClient viewAgain = client.live("customer-21", "/api/live/views/order-status?prefix=order-sse-2",
                last(viewBefore).id());
        Awaitility.await("the versions missed").atMost(Duration.ofSeconds(30))
                .until(() -> statuses(rowAgain).contains("COMPLETED") && statuses(viewAgain).contains("COMPLETED")
                        && streamAgain.messages().stream().anyMatch(m -> m.json().get("eventType").asText()
                        .equals("OrderCompleted")));

        List<Long> history = historyVersions("order-sse-2");
        long lastSeen = last(rowBefore).json().get("version").asLong();
        assertThat(versionsOf(rowAgain.messages())).isEqualTo(history.stream().filter(v -> v > lastSeen).toList());
        assertThat(versionsOf(concat(rowBefore, rowAgain.messages()))).isEqualTo(history);
        assertThat(versionsOf(concat(viewBefore, viewAgain.messages()))).isEqualTo(history);
        List<Long> sequence = concat(streamBefore, streamAgain.messages()).stream()
                .map(m -> m.json().get("sequenceNumber").asLong()).toList();
        assertThat(sequence).isEqualTo(java.util.stream.LongStream.rangeClosed(1, sequence.size()).boxed().toList());
        rowAgain.disconnect();
        streamAgain.disconnect();
        viewAgain.disconnect();
    }

    @Test
    void aThousandSubscribersAllReceiveEveryUpdateAndLeaveNothingBehind() throws Exception {
        Gateway gateway = PLATFORM.get().gateway;
        ExecutorService clientThreads = Executors.newFixedThreadPool(4);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads)
                .build();
        for (int c = 30; c < 40; c++) {
            client.fund("customer-" + c, 50_000);
        }
        subscribeAndLeave(http, 20); // warms up both sides, so that what is measured is the thousand
        Resources before = Resources.now();

        List<EventStreamClient> subscribers = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            subscribers.add(EventStreamClient.open(http, client.request("support-1",
                    "/api/live/views/order-status?prefix=order-crowd-").timeout(Duration.ofMinutes(10)).GET().build()));
        }
        Awaitility.await("1,000 subscribers connected").atMost(Duration.ofSeconds(60))
                .until(() -> gateway.subscribers() >= 1_000 && subscribers.stream().allMatch(EventStreamClient::connected));
        Resources during = Resources.now();
        for (int o = 0; o < 10; o++) {
            String customer = "customer-" + (30 + o);
            assertThat(client.placeOrder(customer, "order-crowd-" + o).status()).isEqualTo(201);
        }
        Map<String, Set<Long>> expected = new HashMap<>();
        Awaitility.await("every subscriber has every version").atMost(Duration.ofSeconds(60)).until(() -> {
            expected.clear();
            for (int o = 0; o < 10; o++) {
                expected.put("order-crowd-" + o, new HashSet<>(historyVersions("order-crowd-" + o)));
            }
            return expected.values().stream().allMatch(v -> v.contains(3L))
                    && subscribers.stream().allMatch(s -> received(s).equals(expected));
        });
        long messages = subscribers.stream().mapToLong(s -> s.messages().size()).sum();
        subscribers.forEach(EventStreamClient::disconnect);
        subscribers.clear(); // what they received is the test's, not the gateway's

        Awaitility.await("the gateway found them gone").atMost(Duration.ofSeconds(30))
                .until(() -> gateway.subscribers() == 0);
        Resources[] after = {during};
        try {
            Awaitility.await("threads, files and heap back").atMost(Duration.ofSeconds(60))
                    .until(() -> (after[0] = Resources.now()).within(before));
        } finally {
            System.out.printf("1,000 subscribers, %d messages received (%d versions each):%n%s%nnew threads: %s%n",
                    messages, expected.values().stream().mapToInt(Set::size).sum(),
                    Resources.table(before, during, after[0]), Resources.newThreads(before, after[0]));
            clientThreads.shutdownNow();
        }
    }

    /** Threads, open files and heap after a full collection, in this JVM (gateway and clients both). */
    private record Resources(int threads, long openFiles, long heapMb, Map<String, Long> threadNames) {

        static Resources now() {
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            Map<String, Long> names = Thread.getAllStackTraces().keySet().stream().collect(Collectors.groupingBy(
                    thread -> thread.getName().replaceAll("\\d+", "#"), Collectors.counting()));
            return new Resources(ManagementFactory.getThreadMXBean().getThreadCount(),
                    ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                            .getOpenFileDescriptorCount(), heap >> 20, names);
        }

        /** The kinds of thread there are more of than before, by name with numbers left out. */
        static Map<String, Long> newThreads(Resources before, Resources after) {
            Map<String, Long> more = new java.util.TreeMap<>();
            after.threadNames.forEach((name, count) -> {
                long was = before.threadNames.getOrDefault(name, 0L);
                if (count > was) {
                    more.put(name, count - was);
                }
            });
            return more;
        }

        /**
         * Back to a level, give or take what the platform in this JVM does meanwhile (its jobs start a transactional
         * producer, with its thread and sockets, at every checkpoint): 10 threads, 50 files (of the 2,000 sockets
         * the subscribers had open, both ends) and 64 MB of heap.
         */
        boolean within(Resources level) {
            return threads <= level.threads + 10 && openFiles <= level.openFiles + 50 && heapMb <= level.heapMb + 64;
        }

        static String table(Resources before, Resources during, Resources after) {
            return String.format("| | before | with 1,000 | after |%n|---|---|---|---|%n| threads | %d | %d | %d |%n"
                            + "| open files | %d | %d | %d |%n| heap after GC (MB) | %d | %d | %d |", before.threads,
                    during.threads, after.threads, before.openFiles, during.openFiles, after.openFiles,
                    before.heapMb, during.heapMb, after.heapMb);
        }
    }

    private static void subscribeAndLeave(HttpClient http, int count) {
        List<EventStreamClient> warmUp = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            warmUp.add(EventStreamClient.open(http, client.request("support-1",
                    "/api/live/views/order-status?prefix=order-crowd-").GET().build()));
        }
        Awaitility.await().until(() -> warmUp.stream().allMatch(EventStreamClient::connected));
        warmUp.forEach(EventStreamClient::disconnect);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> PLATFORM.get().gateway.subscribers() == 0);
    }

    private static Map<String, Set<Long>> received(EventStreamClient subscriber) {
        return subscriber.messages().stream().map(EventStreamClient.Message::json).collect(Collectors.groupingBy(
                row -> row.get("key").asText(), Collectors.mapping(row -> row.get("version").asLong(),
                        Collectors.toSet())));
    }

    private static List<String> statuses(EventStreamClient subscriber) {
        return subscriber.messages().stream().map(m -> m.json().get("row"))
                .map(row -> row.isNull() ? "DELETED" : row.get("status").asText()).toList();
    }

    private static List<Long> versionsOf(List<EventStreamClient.Message> messages) {
        return messages.stream().map(m -> m.json().get("version").asLong()).toList();
    }

    private static List<Long> historyVersions(String orderId) throws Exception {
        JsonNode versions = client.get("support-1", "/api/views/order-status/" + orderId + "/history").json()
                .get("versions");
        List<Long> list = new ArrayList<>();
        versions.forEach(v -> list.add(v.get("version").asLong()));
        return list;
    }

    private static List<String> historyStatuses(String orderId) throws Exception {
        JsonNode versions = client.get("support-1", "/api/views/order-status/" + orderId + "/history").json()
                .get("versions");
        List<String> list = new ArrayList<>();
        versions.forEach(v -> list.add(v.get("row").get("status").asText()));
        return list;
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
