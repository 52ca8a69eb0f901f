package io.factstream.kafka.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import io.factstream.catalog.access.AccessCatalog;
import io.factstream.catalog.access.Grant;
import io.factstream.catalog.access.Principal;

import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.topics.TopicSpec;
import io.factstream.kafka.clients.KafkaConnection;

/**
 * Makes a Kafka cluster hold the catalog's topics: creates the missing ones and reports every existing topic whose
 * partitions, replication factor or configs differ from the catalog. It never alters or deletes an existing topic
 * (changing a live topic's partitions would move keys between partitions), so running it again changes nothing.
 *
 * <p>Likewise for the {@link AccessCatalog}'s ACLs on a cluster with an authorizer: it grants the missing ones and
 * reports those of the catalog's principals that the catalog does not grant, which it leaves in place.
 */
public final class TopicAdmin implements AutoCloseable {

    private final Admin admin;
    private final boolean ownsAdmin;
    private final Duration timeout;

    private TopicAdmin(Admin admin, boolean ownsAdmin, Duration timeout) {
        this.admin = admin;
        this.ownsAdmin = ownsAdmin;
        this.timeout = timeout;
    }

    /** Connects to the cluster; every call fails after {@code timeout} if the cluster does not answer. */
    public static TopicAdmin connect(String bootstrapServers, Duration timeout) {
        return connect(KafkaConnection.to(bootstrapServers), timeout);
    }

    /** {@link #connect(String, Duration)} through this connection. */
    public static TopicAdmin connect(KafkaConnection connection, Duration timeout) {
        int millis = Math.toIntExact(timeout.toMillis());
        Admin admin = connection.admin(Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis));
        return new TopicAdmin(admin, true, timeout);
    }

    /** Works through an admin client owned by the caller, which stays open after {@link #close()}. */
    public static TopicAdmin using(Admin admin, Duration timeout) {
        return new TopicAdmin(admin, false, timeout);
    }

    /** The admin request that creates a topic of the catalog. */
    public static NewTopic newTopic(TopicSpec topic) {
        return new NewTopic(topic.name(), topic.partitions(), topic.replicationFactor()).configs(topic.configs());
    }

    /** Admin requests that create every topic of the catalog. */
    public static List<NewTopic> newTopics(TopicCatalog catalog) {
        return catalog.topics().stream().map(TopicAdmin::newTopic).toList();
    }

    /** Creates the missing topics and reports the others. */
    public TopicReport ensure(TopicCatalog catalog) throws TopicAdminException {
        return inspect(catalog, true);
    }

    /** Only reports: missing topics stay missing. */
    public TopicReport check(TopicCatalog catalog) throws TopicAdminException {
        return inspect(catalog, false);
    }

    /** Grants the access catalog's missing ACLs and reports the others. */
    public AclReport ensure(AccessCatalog catalog) throws TopicAdminException {
        return inspect(catalog, true);
    }

    /** Only reports: missing ACLs stay missing. */
    public AclReport check(AccessCatalog catalog) throws TopicAdminException {
        return inspect(catalog, false);
    }

    /** The ACL that stands for a grant to a principal: allowed from any host. */
    public static AclBinding binding(Principal principal, Grant grant) {
        ResourceType type = switch (grant.resource()) {
            case TOPIC -> ResourceType.TOPIC;
            case GROUP -> ResourceType.GROUP;
            case TRANSACTIONAL_ID -> ResourceType.TRANSACTIONAL_ID;
        };
        AclOperation operation = switch (grant.operation()) {
            case READ -> AclOperation.READ;
            case WRITE -> AclOperation.WRITE;
        };
        return new AclBinding(new ResourcePattern(type, grant.name(),
                grant.prefixed() ? PatternType.PREFIXED : PatternType.LITERAL),
                new AccessControlEntry(principal.kafkaPrincipal(), "*", operation, AclPermissionType.ALLOW));
    }

    private AclReport inspect(AccessCatalog catalog, boolean create) throws TopicAdminException {
        Collection<AclBinding> existing;
        try {
            existing = await(admin.describeAcls(AclBindingFilter.ANY).values(), "describe ACLs");
        } catch (TopicAdminException e) {
            if (e.getCause() instanceof SecurityDisabledException) {
                return AclReport.withoutAuthorizer();
            }
            throw e;
        }
        Map<AclBinding, String> expected = new LinkedHashMap<>();
        for (Principal principal : catalog.principals()) {
            principal.grants().forEach(grant -> expected.put(binding(principal, grant),
                    principal.kafkaPrincipal() + " " + grant));
        }
        List<AclBinding> absent = expected.keySet().stream().filter(acl -> !existing.contains(acl)).toList();
        Set<String> principals = catalog.principals().stream().map(Principal::kafkaPrincipal)
                .collect(Collectors.toSet());
        List<String> beyond = existing.stream()
                .filter(acl -> principals.contains(acl.entry().principal()) && !expected.containsKey(acl))
                .map(TopicAdmin::describe).sorted().toList();
        List<String> absentLines = absent.stream().map(expected::get).toList();
        if (create && !absent.isEmpty()) {
            await(admin.createAcls(absent).all(), "create ACLs");
        }
        return new AclReport(true, create ? absentLines : List.of(), create ? List.of() : absentLines,
                expected.size() - absent.size(), beyond);
    }

    private static String describe(AclBinding acl) {
        ResourcePattern pattern = acl.pattern();
        return acl.entry().principal() + " " + acl.entry().permissionType() + " " + acl.entry().operation() + " "
                + pattern.resourceType().name().toLowerCase() + " " + pattern.name()
                + (pattern.patternType() == PatternType.PREFIXED ? "*" : "") + " from " + acl.entry().host();
    }

    private TopicReport inspect(TopicCatalog catalog, boolean create) throws TopicAdminException {
        Set<String> existing = await(admin.listTopics().names(), "list topics");
        List<TopicSpec> absent = catalog.topics().stream().filter(t -> !existing.contains(t.name())).toList();
        List<TopicSpec> present = catalog.topics().stream().filter(t -> existing.contains(t.name())).toList();

        List<String> created = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<TopicSpec> toCompare = new ArrayList<>(present);
        if (create) {
            createMissing(absent, created, toCompare);
        } else {
            absent.forEach(t -> missing.add(t.name()));
        }

        List<String> unchanged = new ArrayList<>();
        List<TopicReport.Drift> drifted = new ArrayList<>();
        Map<String, TopicDescription> descriptions = describe(toCompare);
        Map<String, Config> configs = configsOf(toCompare);
        for (TopicSpec spec : toCompare) {
            List<String> differences = differences(spec, descriptions.get(spec.name()), configs.get(spec.name()));
            if (differences.isEmpty()) {
                unchanged.add(spec.name());
            } else {
                drifted.add(new TopicReport.Drift(spec.name(), differences));
            }
        }
        return new TopicReport(created, missing, unchanged, drifted);
    }

    private void createMissing(List<TopicSpec> absent, List<String> created, List<TopicSpec> toCompare)
            throws TopicAdminException {
        if (absent.isEmpty()) {
            return;
        }
        CreateTopicsResult result = admin.createTopics(absent.stream().map(TopicAdmin::newTopic).toList());
        for (TopicSpec spec : absent) {
            try {
                await(result.values().get(spec.name()), "create topic " + spec.name());
                created.add(spec.name());
            } catch (TopicAdminException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                toCompare.add(spec); // created meanwhile by someone else: compare it like any existing topic
            }
        }
    }

    /** What differs between the catalog's spec and the topic on the broker, one line each. */
    static List<String> differences(TopicSpec spec, TopicDescription description, Config config) {
        List<String> differences = new ArrayList<>();
        int partitions = description.partitions().size();
        if (partitions != spec.partitions()) {
            differences.add("has " + partitions + " partitions, expected " + spec.partitions());
        }
        int replicas = description.partitions().get(0).replicas().size();
        if (replicas != spec.replicationFactor()) {
            differences.add("has replication factor " + replicas + ", expected " + spec.replicationFactor());
        }
        spec.configs().forEach((key, expected) -> {
            ConfigEntry entry = config.get(key);
            String actual = entry == null ? null : entry.value();
            if (!expected.equals(actual)) {
                differences.add(key + " is " + actual + ", expected " + expected);
            }
        });
        return differences;
    }

    private Map<String, TopicDescription> describe(Collection<TopicSpec> specs) throws TopicAdminException {
        if (specs.isEmpty()) {
            return Map.of();
        }
        return await(admin.describeTopics(names(specs)).allTopicNames(), "describe topics");
    }

    private Map<String, Config> configsOf(Collection<TopicSpec> specs) throws TopicAdminException {
        if (specs.isEmpty()) {
            return Map.of();
        }
        List<ConfigResource> resources = specs.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name())).toList();
        Map<ConfigResource, Config> byResource = await(admin.describeConfigs(resources).all(), "describe configs");
        Map<String, Config> byName = new HashMap<>();
        byResource.forEach((resource, config) -> byName.put(resource.name(), config));
        return byName;
    }

    private static Set<String> names(Collection<TopicSpec> specs) {
        return specs.stream().map(TopicSpec::name).collect(Collectors.toSet());
    }

    private <T> T await(KafkaFuture<T> future, String what) throws TopicAdminException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new TopicAdminException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new TopicAdminException("cannot " + what + ": no answer from Kafka within " + timeout
                    + " (a secured cluster does not answer a client without its security settings: "
                    + "--kafka-properties)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicAdminException("interrupted while trying to " + what, e);
        }
    }

    @Override
    public void close() {
        if (ownsAdmin) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
