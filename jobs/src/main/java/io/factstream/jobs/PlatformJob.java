package io.factstream.jobs;

import java.util.ArrayList;
import java.util.List;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.domain.fulfilment.OrderFulfilment;

/**
 * One Flink job of the platform, as every deployment runs it: one aggregate job per bounded context of the catalog,
 * the order-fulfilment saga, and the views, each a job of its own so that each can be stopped, upgraded and replayed
 * alone. The local launcher, the Kubernetes manifests and the docs take the list from here.
 *
 * @param kind       what the job runs
 * @param id         what the runbooks take ({@code savepoint orders}, {@code upgrade saga ...})
 * @param name       the name deployments give it, as in {@code factstream-<name>}
 * @param entryClass the class whose {@code main} runs it
 * @param args       its own arguments (which context), before the deployment's
 * @param summary    what it reads and writes, for people
 */
public record PlatformJob(Kind kind, String id, String name, String entryClass, List<String> args, String summary) {

    /** What a job runs. */
    public enum Kind {
        /** The aggregate of one bounded context. */
        AGGREGATE,
        /** A saga (process manager). */
        SAGA,
        /** The read models. */
        VIEWS
    }

    public PlatformJob {
        args = List.copyOf(args);
    }

    /** Every job: the contexts' aggregates in catalog order, then the saga, then the views. */
    public static List<PlatformJob> all() {
        List<PlatformJob> jobs = new ArrayList<>();
        for (BoundedContext context : BoundedContext.values()) {
            jobs.add(new PlatformJob(Kind.AGGREGATE, context.id(), context.id(), AggregateJob.class.getName(),
                    List.of("--context", context.id()), String.format("The %s aggregate: %s in; %s, %s and %s out, "
                            + "exactly once.", context.id(), context.commandsTopic(), context.eventsTopic(),
                    context.rejectionsTopic(), context.deadLetterTopic())));
        }
        jobs.add(new PlatformJob(Kind.SAGA, "saga", OrderFulfilment.NAME, SagaJob.class.getName(), List.of(),
                "The order-fulfilment saga: the four <ctx>.events and <ctx>.rejections in; commands to <ctx>.commands "
                        + "out."));
        jobs.add(new PlatformJob(Kind.VIEWS, "views", "views", ViewJob.class.getName(), List.of(),
                "The read models: the four <ctx>.events in; views.<view>.history and views.<view>.latest out."));
        return List.copyOf(jobs);
    }

    /**
     * The name the job runs under on a Flink cluster, whoever submitted it (the launcher, Flink's CLI, a
     * FlinkDeployment), for every version of its jar: how a launcher recognises an instance of this job that it did
     * not start. A run that writes to another Kafka cluster (a replay, a backfill) is named apart by
     * {@link JobOptions#jobName}.
     */
    public String flinkJobName() {
        return "factstream-" + name;
    }

    /**
     * Where the job writes what it holds in quarantine: an aggregate job its context's {@code <ctx>.parked}, the
     * saga {@value TopicCatalog#SAGAS_PARKED}, the views {@value TopicCatalog#VIEWS_PARKED}.
     */
    public String parkedTopic() {
        return switch (kind) {
            case AGGREGATE -> BoundedContext.byId(id).parkedTopic();
            case SAGA -> TopicCatalog.SAGAS_PARKED;
            case VIEWS -> TopicCatalog.VIEWS_PARKED;
        };
    }

    /** The job whose id this is; the message lists the ids when there is none. */
    public static PlatformJob byId(String id) {
        return all().stream().filter(job -> job.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no job '" + id + "'; the jobs are "
                        + all().stream().map(PlatformJob::id).toList()));
    }
}
