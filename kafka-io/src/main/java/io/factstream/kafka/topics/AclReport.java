package io.factstream.kafka.topics;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link TopicAdmin} found of the access catalog's ACLs on a cluster, one line per ACL.
 *
 * @param authorizer whether the cluster authorizes at all; without an authorizer there is nothing to compare
 * @param created    ACLs that were missing and are now created
 * @param missing    ACLs that are missing and were left so (a check only)
 * @param unchanged  how many ACLs are in place as the catalog says
 * @param beyond     ACLs of the catalog's principals that the catalog does not grant: more than least privilege,
 *                   reported, never removed by the tool
 */
public record AclReport(boolean authorizer, List<String> created, List<String> missing, int unchanged,
                        List<String> beyond) {

    public AclReport {
        created = List.copyOf(created);
        missing = List.copyOf(missing);
        beyond = List.copyOf(beyond);
    }

    /** The report of a cluster without an authorizer. */
    static AclReport withoutAuthorizer() {
        return new AclReport(false, List.of(), List.of(), 0, List.of());
    }

    /** True when every ACL of the catalog is in place and its principals have no others. */
    public boolean consistent() {
        return missing.isEmpty() && beyond.isEmpty();
    }

    /** The report for people: one line per ACL that is not simply in place, then a summary line. */
    public List<String> lines() {
        if (!authorizer) {
            return List.of("ACLs: the cluster has no authorizer, every client may do anything; none applied");
        }
        List<String> lines = new ArrayList<>();
        created.forEach(acl -> lines.add("granted   " + acl));
        missing.forEach(acl -> lines.add("MISSING   " + acl));
        beyond.forEach(acl -> lines.add("BEYOND    " + acl + " (not in the access catalog)"));
        lines.add(String.format("ACLs: %d granted, %d missing, %d in place, %d beyond the catalog",
                created.size(), missing.size(), unchanged, beyond.size()));
        return lines;
    }
}
