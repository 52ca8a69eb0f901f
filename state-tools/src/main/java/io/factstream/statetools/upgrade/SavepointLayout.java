package io.factstream.statetools.upgrade;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.state.api.runtime.SavepointLoader;

/**
 * What a savepoint (or a retained checkpoint) holds, operator by operator, read from its metadata without running
 * a job: each operator's id, uid and parallelism, and for its keyed state the name of every state with the
 * serializer snapshot it was written with (for an Avro state: the writer's schema).
 *
 * @param path      the savepoint directory or its {@code _metadata} file
 * @param operators every operator that has state
 */
public record SavepointLayout(String path, List<Operator> operators) {

    /**
     * One operator's state in the savepoint.
     *
     * @param id             what Flink matches operators by: the hash of the uid
     * @param uid            the uid, when the savepoint records it
     * @param parallelism    how many subtasks wrote it
     * @param maxParallelism its key groups: the most subtasks it can be restored into
     * @param keyedStates    its keyed states, as the first subtask holding keyed state lists them
     * @param operatorStates the names of its operator (non-keyed) states: source splits, sink transactions
     */
    public record Operator(OperatorID id, Optional<String> uid, int parallelism, int maxParallelism,
                           List<KeyedState> keyedStates, List<String> operatorStates) {

        /** The uid if known, else the id as Flink prints it. */
        public String label() {
            return uid.orElse("operator " + id);
        }
    }

    /**
     * A keyed state and how it was written.
     *
     * @param name       the state's name
     * @param timers     whether it is a timer queue (Flink's own, not a descriptor of the job's)
     * @param serializer the snapshot of the serializer its values were written with
     */
    public record KeyedState(String name, boolean timers, TypeSerializerSnapshot<?> serializer) {
    }

    /**
     * Reads the layout of the savepoint at {@code path}.
     *
     * @param classLoader where the state types' classes are found (the new job's: the serializer snapshots name
     *                    them)
     */
    public static SavepointLayout read(String path, ClassLoader classLoader) throws IOException {
        CheckpointMetadata metadata = SavepointLoader.loadSavepointMetadata(path);
        List<Operator> operators = new ArrayList<>();
        for (OperatorState operator : metadata.getOperatorStates()) {
            if (!hasState(operator)) {
                continue; // Flink restores an operator without state into anything, or nothing
            }
            List<KeyedState> keyed = List.of();
            TreeSet<String> operatorStates = new TreeSet<>();
            for (OperatorSubtaskState subtask : operator.getStates()) {
                if (keyed.isEmpty() && !subtask.getManagedKeyedState().isEmpty()) {
                    keyed = keyedStates(subtask.getManagedKeyedState().iterator().next(), classLoader);
                }
                for (OperatorStateHandle handle : subtask.getManagedOperatorState()) {
                    operatorStates.addAll(handle.getStateNameToPartitionOffsets().keySet());
                }
            }
            operators.add(new Operator(operator.getOperatorID(), operator.getOperatorUid(),
                    operator.getParallelism(), operator.getMaxParallelism(), keyed, List.copyOf(operatorStates)));
        }
        return new SavepointLayout(path, List.copyOf(operators));
    }

    /** The parallelism the savepoint's job ran at: its widest operator's. */
    public static int parallelism(String path) throws IOException {
        return SavepointLoader.loadSavepointMetadata(path).getOperatorStates().stream()
                .mapToInt(OperatorState::getParallelism).max().orElse(1);
    }

    /** As Flink decides at restore whether an operator's state needs a home. */
    private static boolean hasState(OperatorState operator) {
        return operator.getCoordinatorState() != null
                || operator.getStates().stream().anyMatch(OperatorSubtaskState::hasState);
    }

    /**
     * The states of a keyed backend: the serialization proxy a snapshot starts with (a canonical savepoint, heap
     * or RocksDB), or the metadata file of a native RocksDB snapshot.
     */
    static List<KeyedState> keyedStates(KeyedStateHandle handle, ClassLoader classLoader)
            throws IOException {
        InputStream stream;
        if (handle instanceof KeyGroupsStateHandle keyGroups) {
            stream = keyGroups.openInputStream();
        } else if (handle instanceof IncrementalRemoteKeyedStateHandle incremental) {
            stream = incremental.getMetaDataStateHandle().openInputStream();
        } else {
            throw new IOException("keyed state kept as " + handle.getClass().getSimpleName()
                    + ", which plan-upgrade cannot read: take a savepoint (canonical or native) instead");
        }
        try (InputStream in = stream) {
            KeyedBackendSerializationProxy<?> proxy = new KeyedBackendSerializationProxy<>(classLoader);
            proxy.read(new DataInputViewStreamWrapper(in));
            List<KeyedState> states = new ArrayList<>();
            for (StateMetaInfoSnapshot state : proxy.getStateMetaInfoSnapshots()) {
                boolean timers = state.getBackendStateType() == StateMetaInfoSnapshot.BackendStateType.PRIORITY_QUEUE;
                states.add(new KeyedState(state.getName(), timers,
                        state.getTypeSerializerSnapshot(StateMetaInfoSnapshot.CommonSerializerKeys.VALUE_SERIALIZER)));
            }
            return List.copyOf(states);
        }
    }
}
