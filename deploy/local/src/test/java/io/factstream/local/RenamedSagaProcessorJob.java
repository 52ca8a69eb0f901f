package io.factstream.local;

import java.util.concurrent.Callable;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.jobs.EventTimeOptions;
import io.factstream.jobs.FulfilmentOptions;
import io.factstream.jobs.JobMain;
import io.factstream.jobs.JobOptions;
import io.factstream.jobs.PlatformJob;
import io.factstream.jobs.SagaJob;
import io.factstream.jobs.saga.SagaUids;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The saga job as a careless version 2 would build it: the same topology with the same arguments, but the saga
 * processor's uid renamed, so that the saga state of a version 1 savepoint has no operator to go to. Never run:
 * {@code OrdersUpgradeITCase} packs it into a copy of the job jar ({@link FixtureJars}), and the launcher's
 * {@code upgrade} must refuse that jar.
 */
@Command(name = "renamed-saga-job")
public final class RenamedSagaProcessorJob implements Callable<Integer> {

    @Mixin
    FulfilmentOptions fulfilment;

    @Mixin
    EventTimeOptions time;

    @Mixin
    JobOptions options;

    public static void main(String[] args) {
        JobMain.run(new CommandLine(new RenamedSagaProcessorJob()), args);
    }

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = options.environment();
        OrderFulfilment.Timeouts timeouts = fulfilment.timeouts();
        SagaJob.define(env, options, time.eventTime(), () -> new OrderFulfilment(timeouts));
        String processor = new SagaUids(OrderFulfilment.NAME).processor();
        env.getTransformations().stream().filter(transformation -> processor.equals(transformation.getUid()))
                .forEach(transformation -> transformation.setUid(processor + "-v2"));
        env.execute(options.jobName(PlatformJob.byId("saga")));
        return 0;
    }
}
