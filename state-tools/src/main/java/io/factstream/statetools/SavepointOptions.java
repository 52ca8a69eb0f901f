package io.factstream.statetools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import picocli.CommandLine.Option;

/** A savepoint to read, and the state backend to read it with. */
final class SavepointOptions {

    @Option(names = "--savepoint", required = true, description = "The savepoint directory (or its _metadata file).")
    Path savepoint;

    @Option(names = "--state-backend", defaultValue = "hashmap",
            description = "Backend to restore the state into while reading: hashmap, or rocksdb for state larger "
                    + "than memory; either reads any canonical savepoint (default: ${DEFAULT-VALUE}).")
    String stateBackend;

    /** A reader of the savepoint; fails with a one-line cause when there is none. */
    SavepointReader reader(StreamExecutionEnvironment env) throws IOException {
        if (!Files.exists(savepoint)) {
            throw new IllegalArgumentException("no savepoint at " + savepoint);
        }
        return SavepointReader.read(env, savepoint.toAbsolutePath().toUri().toString(), backend(stateBackend));
    }

    static StateBackend backend(String name) {
        return switch (name) {
            case "hashmap" -> new HashMapStateBackend();
            case "rocksdb" -> new EmbeddedRocksDBStateBackend();
            default -> throw new IllegalArgumentException("unknown state backend '" + name + "': hashmap or rocksdb");
        };
    }
}
