package io.factstream.kernel.violation;

import org.apache.flink.api.common.functions.MapFunction;

/** Breaks the purity rule on purpose: a kernel class that uses Flink. */
public final class DeciderOnFlink implements MapFunction<String, String> {

    @Override
    public String map(String command) {
        return command;
    }
}
