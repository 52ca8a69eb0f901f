package io.factstream.kafka.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.access.AccessCatalog;
import io.factstream.catalog.access.Grant;
import io.factstream.catalog.access.Principal;
import io.factstream.testkit.CommandLineRun;

class AclReportTest {

    private final Principal orders = AccessCatalog.standard().principal("orders");

    @Test
    void aGrantIsAnAllowAclOfItsPrincipalFromAnyHost() {
        var topic = TopicAdmin.binding(orders, Grant.write("orders.events"));
        assertThat(topic.pattern().resourceType()).isEqualTo(ResourceType.TOPIC);
        assertThat(topic.pattern().patternType()).isEqualTo(PatternType.LITERAL);
        assertThat(topic.entry().principal()).isEqualTo("User:orders");
        assertThat(topic.entry().operation()).isEqualTo(AclOperation.WRITE);
        assertThat(topic.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
        assertThat(topic.entry().host()).isEqualTo("*");

        var transactions = TopicAdmin.binding(orders, Grant.transactions("factstream-orders-"));
        assertThat(transactions.pattern().resourceType()).isEqualTo(ResourceType.TRANSACTIONAL_ID);
        assertThat(transactions.pattern().patternType()).isEqualTo(PatternType.PREFIXED);
        assertThat(TopicAdmin.binding(orders, Grant.groups("factstream-orders")).entry().operation())
                .isEqualTo(AclOperation.READ);
    }

    @Test
    void aReportIsConsistentOnlyWithNothingMissingAndNothingBeyond() {
        assertThat(new AclReport(true, List.of("a"), List.of(), 3, List.of()).consistent()).isTrue();
        assertThat(new AclReport(true, List.of(), List.of("a"), 3, List.of()).consistent()).isFalse();
        assertThat(new AclReport(true, List.of(), List.of(), 3, List.of("b")).consistent()).isFalse();
        assertThat(AclReport.withoutAuthorizer().consistent()).isTrue();
        assertThat(AclReport.withoutAuthorizer().lines()).singleElement().asString().contains("no authorizer");
        assertThat(new AclReport(true, List.of(), List.of("User:x READ topic t"), 2, List.of()).lines())
                .containsExactly("MISSING   User:x READ topic t",
                        "ACLs: 0 granted, 1 missing, 2 in place, 0 beyond the catalog");
    }

    @Test
    void topicsAclsPrintsEveryGrantOfEveryPrincipal() {
        CommandLineRun run = CommandLineRun.of(TopicsCommand.commandLine(), "acls");

        int grants = AccessCatalog.standard().principals().stream().mapToInt(p -> p.grants().size()).sum();
        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).hasSize(grants + 1)
                .contains("User:orders        WRITE topic orders.events")
                .contains("User:order-fulfilment WRITE topic payments.commands")
                .noneMatch(line -> line.startsWith("User:tools") && line.contains("WRITE"));
    }
}
