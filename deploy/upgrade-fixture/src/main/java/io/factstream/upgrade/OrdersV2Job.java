package io.factstream.upgrade;

import java.util.concurrent.Callable;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.factstream.catalog.BoundedContext;
import io.factstream.jobs.AggregateJob;
import io.factstream.jobs.AggregateOptions;
import io.factstream.jobs.JobMain;
import io.factstream.jobs.JobOptions;
import io.factstream.jobs.PlatformJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Version 2 of the orders job ({@code AggregateJob --context orders}), for the savepoint-upgrade test: the same
 * operators with the same uids, deciding with {@link OrderDeciderV2}, so that it restores a version 1 savepoint.
 */
@Command(name = "orders-v2-job", mixinStandardHelpOptions = true,
        description = "Runs version 2 of the orders aggregate: commands in, events or rejections out.")
public final class OrdersV2Job implements Callable<Integer> {

    /** Taken so that version 1's arguments carry over unchanged in an upgrade; only {@code orders} is valid. */
    @Option(names = "--context", defaultValue = "orders",
            description = "The bounded context; orders is the only one (default: ${DEFAULT-VALUE}).")
    String context;

    @Mixin
    AggregateOptions aggregate;

    @Mixin
    JobOptions options;

    public static void main(String[] args) {
        JobMain.run(new CommandLine(new OrdersV2Job()), args);
    }

    @Override
    public Integer call() throws Exception {
        if (BoundedContext.byId(context) != BoundedContext.ORDERS) {
            throw new IllegalArgumentException("version 2 runs the orders context only, not " + context);
        }
        StreamExecutionEnvironment env = options.environment();
        AggregateJob.define(env, options, BoundedContext.ORDERS, aggregate.settings(), OrderDeciderV2::new);
        options.execute(env, PlatformJob.byId("orders")); // version 2 of the same job, under its name
        return 0;
    }
}
