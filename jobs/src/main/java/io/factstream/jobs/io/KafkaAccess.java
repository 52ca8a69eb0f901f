package io.factstream.jobs.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import io.factstream.catalog.access.Grant;
import io.factstream.kafka.clients.KafkaConnection;

/**
 * Asks the cluster, before a job is submitted, whether the principal it connects as may read and write the topics
 * the job will: a job without an ACL, or with a wrong password, does not start and fail over and over on the
 * cluster but is refused at once, with one line that says what it lacks. The broker answers with the operations
 * its authorizer allows on each topic ({@code includeAuthorizedOperations}); a cluster without an authorizer allows
 * everything. A topic that does not exist yet is not judged here.
 */
public final class KafkaAccess {

    private static final int TIMEOUT_MS = 30_000;

    private KafkaAccess() {
    }

    /**
     * Fails unless the connection's principal may perform {@code operation} on every topic.
     *
     * @param who what needs the access, for the message (e.g. {@code the orders job})
     * @throws IllegalStateException with a one-line cause when it may not, or cannot authenticate
     */
    public static void require(KafkaConnection connection, Set<String> topics, Grant.Operation operation,
                               String who) {
        if (topics.isEmpty()) {
            return;
        }
        AclOperation needed = AclOperation.valueOf(operation.name());
        List<String> refused = new ArrayList<>();
        try (Admin admin = connection.admin(Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS))) {
            Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics,
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)).topicNameValues();
            for (String topic : topics) {
                try {
                    Set<AclOperation> allowed = described.get(topic).get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                            .authorizedOperations();
                    if (allowed != null && !allowed.contains(needed) && !allowed.contains(AclOperation.ALL)) {
                        refused.add(topic);
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicAuthorizationException) {
                        refused.add(topic);
                    } else if (e.getCause() instanceof AuthenticationException) {
                        throw new IllegalStateException(who + " cannot authenticate to Kafka at "
                                + connection.bootstrapServers() + ": " + e.getCause().getMessage(), e.getCause());
                    } else if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw new IllegalStateException(who + " cannot ask Kafka at " + connection.bootstrapServers()
                                + " about " + topic + ": " + e.getCause().getMessage(), e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException(who + ": no answer from Kafka at " + connection.bootstrapServers()
                            + " within " + TIMEOUT_MS / 1000 + " s (a secured cluster does not answer a client "
                            + "without its security settings: --kafka-properties)", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(who + " was interrupted asking Kafka about " + topic, e);
                }
            }
        }
        if (!refused.isEmpty()) {
            throw new IllegalStateException(who + " may not " + operation + " " + String.join(", ", refused)
                    + " on " + connection.bootstrapServers() + " as the principal it connects as; 'topics ensure' "
                    + "grants each job's principal what the access catalog says");
        }
    }
}
