package io.factstream.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import one.profiler.AsyncProfiler;

/**
 * A CPU profile of this process while a run lasts, taken by async-profiler (from Maven, its native library in the
 * jar): every thread, Java, JNI (RocksDB) and kernel frames alike. It leaves a flame graph ({@code <name>.html}) and
 * the folded stacks it is drawn from ({@code <name>.collapsed}), and can name the costliest frames.
 */
final class Profile implements AutoCloseable {

    private static final String OPTIONS = "interval=5ms,threads";

    /**
     * What a sample was spent on, first match wins: the thread it ran on, then a frame of its stack. The order
     * matters: a state read's stack also holds the operator's frames, and a sink's the operator's that emitted.
     */
    private static final List<Map.Entry<String, Predicate<String>>> COSTS = List.of(
            Map.entry("state reads", stack -> stack.contains("ValueState.value")),
            Map.entry("state writes", stack -> stack.contains("ValueState.update")),
            Map.entry("checkpoints: heap snapshots", stack -> stack.startsWith("[AsyncOperations-thread")),
            Map.entry("RocksDB flushes and compactions", stack -> stack.startsWith("[rocksdb:")),
            Map.entry("decoding Kafka records", stack -> stack.contains("SingleObjectCodec.decode")),
            Map.entry("encoding Kafka records", stack -> stack.contains("CatalogRecordSerializer.serialize")),
            Map.entry("between operators: serialize", stack -> stack.contains("RecordWriterOutput")),
            Map.entry("between operators: deserialize", stack -> stack.contains("StreamTaskNetworkInput.emitNext")
                    && !stack.contains("processElement")),
            Map.entry("Kafka clients' threads", stack -> stack.startsWith("[kafka-producer-network-thread")
                    || stack.startsWith("[Source Data Fetcher")),
            Map.entry("JIT compiler", stack -> stack.startsWith("[C1 Compiler") || stack.startsWith("[C2 Compiler")),
            Map.entry("garbage collector", stack -> stack.startsWith("[GC Thread") || stack.startsWith("[G1")),
            Map.entry("the harness (job submission, output meter)", stack -> stack.startsWith("[main")
                    || stack.startsWith("[output-meter")));

    private final AsyncProfiler profiler;
    private final Path flameGraph;
    private final Path stacks;

    private Profile(AsyncProfiler profiler, Path flameGraph, Path stacks) {
        this.profiler = profiler;
        this.flameGraph = flameGraph;
        this.stacks = stacks;
    }

    /**
     * Starts profiling, on CPU cycles where perf events are open to this process, else on a CPU timer.
     */
    static Profile start(Path directory, String name) throws IOException {
        Files.createDirectories(directory);
        AsyncProfiler profiler = AsyncProfiler.getInstance();
        try {
            profiler.execute("start,event=cpu," + OPTIONS);
        } catch (IllegalStateException | IOException perfEventsClosed) {
            profiler.execute("start,event=itimer," + OPTIONS);
        }
        return new Profile(profiler, directory.resolve(name + ".html"), directory.resolve(name + ".collapsed"));
    }

    /** Stops profiling and writes the flame graph and the stacks. */
    @Override
    public void close() throws IOException {
        profiler.execute("dump,collapsed,file=" + stacks);
        profiler.execute("stop,file=" + flameGraph);
    }

    /**
     * Prints where the samples went: by what they were spent on (state, checkpoints, codecs, the network between
     * operators, ...), by kind of thread (a Flink task, the Kafka clients' network threads, the JIT
     * compiler, the garbage collector, ...), the frames that cost the most by themselves, and factstream's frames
     * with what they call (the benchmark's own left out).
     */
    void printTopCosts(int count) throws IOException {
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> costs = new HashMap<>();
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> total = new HashMap<>();
        long samples = 0;
        for (String line : Files.readAllLines(stacks)) {
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            long weight = Long.parseLong(line.substring(space + 1));
            List<String> frames = Arrays.asList(line.substring(0, space).split(";"));
            samples += weight;
            threads.merge(threadKind(frames.get(0)), weight, Long::sum);
            String stack = line.substring(0, space);
            costs.merge(COSTS.stream().filter(cost -> cost.getValue().test(stack)).map(Map.Entry::getKey).findFirst()
                    .orElse("the rest (operators' own code, Flink's runtime)"), weight, Long::sum);
            self.merge(frames.get(frames.size() - 1), weight, Long::sum);
            Set<String> seen = new HashSet<>();
            for (String frame : frames) {
                if (frame.startsWith("io/factstream/") && !frame.startsWith("io/factstream/benchmarks/")
                        && seen.add(frame)) {
                    total.merge(frame, weight, Long::sum);
                }
            }
        }
        System.out.printf("%nprofile %s: %d samples%n", flameGraph, samples);
        print("by what it was spent on", costs, samples, COSTS.size() + 1);
        print("by thread", threads, samples, count);
        print("by itself", self, samples, count);
        print("factstream's frames, with what they call", total, samples, count);
    }

    /**
     * A thread's name without what numbers its instances: {@code [C2 CompilerThread0 tid=12]} and
     * {@code [Source: x (2/2)#0 tid=40]} are {@code C2 CompilerThread} and {@code Source: x}.
     */
    static String threadKind(String frame) {
        if (!frame.startsWith("[")) {
            return "(no thread)";
        }
        String name = frame.substring(1, frame.endsWith("]") ? frame.length() - 1 : frame.length())
                .replaceAll(" tid=\\d+$", "");
        return name.replaceAll(" \\(\\d+/\\d+\\)(#\\d+)?$", "").replaceAll("[-#]?\\d+$", "");
    }

    private static void print(String title, Map<String, Long> costs, long samples, int count) {
        System.out.printf("  %s:%n", title);
        costs.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(count)
                .forEach(cost -> System.out.printf("  %5.1f%%  %s%n", 100.0 * cost.getValue() / samples,
                        cost.getKey()));
    }
}
