package io.factstream.jobs;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.domain.Views;
import io.factstream.jobs.io.CatalogRecordDeserializer;
import io.factstream.jobs.io.CatalogRecordSerializer;
import io.factstream.jobs.io.DeadLetterSerializer;
import io.factstream.jobs.io.JobInput;
import io.factstream.jobs.io.KafkaOutput;
import io.factstream.jobs.io.ParkedInputs;
import io.factstream.jobs.topology.ViewTopology;
import io.factstream.jobs.view.ViewUids;
import io.factstream.kernel.view.ViewDefinition;
import io.factstream.log.RedriveRequest;
import io.factstream.views.ViewRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;

/**
 * The view job: {@link ViewTopology} over the domain's {@link Views}, between the four {@code <ctx>.events} topics
 * and each view's topics, the "last-versioned" way: every version of every row to {@code views.<view>.history},
 * the latest version of each row to the compacted {@code views.<view>.latest} (a tombstone when the row is
 * deleted), exactly once.
 */
@Command(name = "view-job", mixinStandardHelpOptions = true,
        description = "Runs the read models: events in, view rows out.")
public final class ViewJob implements Callable<Integer> {

    /** The name the job reads under and signs its dead letters with. */
    static final String NAME = "views";

    @Mixin
    JobOptions options;

    public static void main(String[] args) {
        JobMain.run(new CommandLine(new ViewJob()), args);
    }

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = options.environment();
        define(env, options, Views.all());
        options.execute(env, PlatformJob.byId("views"));
        return 0;
    }

    /** Adds the view job's sources, topology and sinks to the environment, for these views. */
    public static void define(StreamExecutionEnvironment env, JobOptions options, List<ViewDefinition<?>> views) {
        JobInput input = options.input(NAME);
        ViewTopology.Outputs outputs = new ViewTopology(views).apply(options.fenced(input.read(env,
                CatalogRecordDeserializer.events(),
                Arrays.stream(BoundedContext.values()).map(BoundedContext::eventsTopic).toList(),
                ViewTopology.SEQUENCE_ORDER, ViewUids.eventsSource()), PlatformJob.byId("views"), ViewUids.fence()),
                input.bounded() ? null : input.read(env, CatalogRecordDeserializer.forType(RedriveRequest.class),
                        List.of(TopicCatalog.REDRIVE), WatermarkStrategy.noWatermarks(), ViewUids.redriveSource()));

        KafkaOutput kafka = options.output(PlatformJob.byId("views"));
        kafka.write(outputs.rows(), CatalogRecordSerializer.builder(ViewRow.class)
                        .topicSelector(row -> TopicCatalog.viewHistoryTopic(row.getView()))
                        .key(ViewRow::getKey)
                        .timestamp(ViewJob::recordTimestamp)
                        .build(),
                ViewUids.historySink(), "history");
        kafka.write(outputs.rows(), CatalogRecordSerializer.builder(ViewRow.class)
                        .topicSelector(row -> TopicCatalog.viewLatestTopic(row.getView()))
                        .key(ViewRow::getKey)
                        .timestamp(ViewJob::recordTimestamp)
                        .tombstoneWhen(row -> row.getRow() == null)
                        .build(),
                ViewUids.latestSink(), "latest");
        kafka.write(outputs.deadLetters(),
                new DeadLetterSerializer(NAME,
                        letter -> BoundedContext.ofTopic(letter.getSourceTopic()).deadLetterTopic()),
                ViewUids.deadLetterSink(), "dead letters");
        kafka.write(outputs.parked(), ParkedInputs.serializer(TopicCatalog.VIEWS_PARKED), ViewUids.parkedSink(),
                TopicCatalog.VIEWS_PARKED);
    }

    /** A row version's Kafka timestamp: the time of the event that made it. */
    private static Long recordTimestamp(ViewRow row) {
        return KafkaOutput.recordTimestamp(row.getUpdatedAt());
    }
}
