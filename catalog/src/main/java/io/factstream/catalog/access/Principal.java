package io.factstream.catalog.access;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Kafka principal of the platform and everything it may do: a job, the gateway or the tools.
 *
 * @param name    the user name it authenticates with; its Kafka principal is {@code User:<name>}
 * @param kind    what runs under it
 * @param purpose what it does, for people
 * @param grants  its permissions, nothing more
 */
public record Principal(String name, Kind kind, String purpose, List<Grant> grants) {

    /** What runs under a principal. */
    public enum Kind { JOB, GATEWAY, TOOLS }

    public Principal {
        grants = List.copyOf(grants);
    }

    /** {@code User:<name>}, as Kafka's ACLs name it. */
    public String kafkaPrincipal() {
        return "User:" + name;
    }

    /** The topics it may read or write with this operation, sorted. */
    public Set<String> topics(Grant.Operation operation) {
        Set<String> topics = new TreeSet<>();
        grants.stream().filter(g -> g.resource() == Grant.Resource.TOPIC && g.operation() == operation)
                .forEach(g -> topics.add(g.name()));
        return topics;
    }
}
