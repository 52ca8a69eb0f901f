package io.factstream.upgrade;

import io.factstream.jobs.JobMain;
import io.factstream.jobs.SagaJob;
import picocli.CommandLine;

/**
 * Version 2 of the saga job, for the saga-upgrade test: {@link SagaJob} with the same arguments, operators and uids,
 * running {@link OrderFulfilmentV2}, so that it restores a version 1 savepoint and its sagas in flight.
 */
public final class SagaV2Job {

    private SagaV2Job() {
    }

    public static void main(String[] args) {
        JobMain.run(new CommandLine(new SagaJob(OrderFulfilmentV2::new)), args);
    }
}
