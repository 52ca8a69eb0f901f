package io.factstream.architecture;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;

import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.kafka.violation.ProducerFromServersAlone;
import io.factstream.kernel.violation.DeciderOnFlink;
import io.factstream.kernel.violation.KernelUsingTheDomain;
import io.factstream.kernel.violation.cycle.Chicken;
import io.factstream.kernel.violation.loop.Egg;

/**
 * The layers of {@code docs/architecture.md}, checked on the classes of every module (tests excluded): which layer
 * may use which, no Flink, Kafka or picocli in the pure layers, no Flink in kafka-io, a Flink runtime that knows
 * no domain, and no package cycles. Each rule is also shown to fire, on classes that break it on purpose.
 */
class ArchitectureTest {

    private static final String[] CATALOG = {"io.factstream.catalog..", "io.factstream.state..",
            "io.factstream.views..", "io.factstream.log.."};
    private static final String KERNEL = "io.factstream.kernel..";
    private static final String DOMAIN = "io.factstream.domain..";

    /** The production classes of every module: test classes and test jars left out. */
    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(location -> !location.contains("/test-classes/") && !location.contains("-tests.jar"))
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.factstream");

    /** The catalog, the kernel and the domain are plain Java over Avro records. */
    static final ArchRule PURE_LAYERS = noClasses()
            .that().resideInAnyPackage(concat(CATALOG, KERNEL, DOMAIN))
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "org.apache.kafka..",
                    "picocli..")
            .because("the functional core runs without Flink, Kafka or a command line (docs/architecture.md)");

    static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("catalog").definedBy(CATALOG)
            .layer("kernel").definedBy(KERNEL)
            .layer("domain").definedBy(DOMAIN)
            .layer("kafka-io").definedBy("io.factstream.kafka..")
            .layer("jobs").definedBy("io.factstream.jobs..")
            .layer("gateway").definedBy("io.factstream.gateway..")
            .layer("analytics").definedBy("io.factstream.analytics..")
            .layer("testkit").definedBy("io.factstream.testkit..")
            .layer("tools").definedBy("io.factstream.statetools..", "io.factstream.testdata..",
                    "io.factstream.embedded..", "io.factstream.local..", "io.factstream.benchmarks..")
            .whereLayer("catalog").mayNotAccessAnyLayer()
            .whereLayer("kernel").mayOnlyAccessLayers("catalog")
            .whereLayer("domain").mayOnlyAccessLayers("catalog", "kernel")
            .whereLayer("kafka-io").mayOnlyAccessLayers("catalog")
            .whereLayer("jobs").mayOnlyAccessLayers("catalog", "kernel", "domain", "kafka-io")
            .whereLayer("gateway").mayOnlyAccessLayers("catalog", "kernel", "domain", "kafka-io")
            .whereLayer("analytics").mayOnlyAccessLayers("catalog", "kafka-io")
            .whereLayer("testkit").mayNotAccessAnyLayer();

    static final ArchRule KAFKA_IO_WITHOUT_FLINK = noClasses()
            .that().resideInAnyPackage("io.factstream.kafka..", "io.factstream.gateway..")
            .should().dependOnClassesThat().resideInAPackage("org.apache.flink..")
            .because("tools and the gateway read and write the topics with Kafka's clients alone");

    /** The operators, topologies and I/O of the jobs serve any domain; only the entry points pick one. */
    static final ArchRule RUNTIME_WITHOUT_DOMAIN = noClasses()
            .that().resideInAnyPackage("io.factstream.jobs.aggregate..", "io.factstream.jobs.saga..",
                    "io.factstream.jobs.view..", "io.factstream.jobs.topology..", "io.factstream.jobs.io..")
            .should().dependOnClassesThat().resideInAPackage(DOMAIN)
            .because("a company adopting factstream replaces the domain, not the Flink shell");

    /**
     * Every Kafka client takes the shared client properties (security settings among them): only
     * {@link KafkaConnection} makes one. The test kit's in-process broker is its own, with its own clients.
     */
    static final ArchRule KAFKA_CLIENTS_THROUGH_THE_CONNECTION = noClasses()
            .that().doNotBelongToAnyOf(KafkaConnection.class).and().resideOutsideOfPackage("io.factstream.testkit..")
            .should().callConstructorWhere(target(owner(assignableTo("org.apache.kafka.clients.producer.KafkaProducer")
                    .or(assignableTo("org.apache.kafka.clients.consumer.KafkaConsumer")))))
            .orShould().callMethodWhere(target(owner(assignableTo("org.apache.kafka.clients.admin.Admin")))
                    .and(target(name("create"))))
            .orShould().callMethodWhere(target(name("setBootstrapServers")))
            .because("a client made from bootstrap servers alone cannot reach a secured cluster; "
                    + "KafkaConnection adds the --kafka-properties file's settings");

    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("io.factstream.(**)").should().beFreeOfCycles();

    @Test
    void theFunctionalCoreUsesNoFlinkKafkaOrPicocli() {
        PURE_LAYERS.check(PRODUCTION);
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        LAYERS.check(PRODUCTION);
    }

    @Test
    void kafkaIoAndTheGatewayUseNoFlink() {
        KAFKA_IO_WITHOUT_FLINK.check(PRODUCTION);
    }

    @Test
    void theFlinkRuntimeKnowsNoDomain() {
        RUNTIME_WITHOUT_DOMAIN.check(PRODUCTION);
    }

    @Test
    void everyKafkaClientIsMadeWithTheSharedClientProperties() {
        KAFKA_CLIENTS_THROUGH_THE_CONNECTION.check(PRODUCTION);
    }

    @Test
    void aProducerMadeFromBootstrapServersAloneBreaksTheClientRule() {
        EvaluationResult result = KAFKA_CLIENTS_THROUGH_THE_CONNECTION.evaluate(new ClassFileImporter()
                .importClasses(ProducerFromServersAlone.class, KafkaConnection.class));

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains(ProducerFromServersAlone.class.getName(),
                "KafkaProducer.<init>").doesNotContain(KafkaConnection.class.getName() + ".producer");
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        NO_PACKAGE_CYCLES.check(PRODUCTION);
    }

    @Test
    void theRulesSeeEveryLayer() {
        for (String layer : concat(CATALOG, KERNEL, DOMAIN, "io.factstream.kafka..", "io.factstream.jobs..",
                "io.factstream.gateway..", "io.factstream.statetools..", "io.factstream.embedded..",
                "io.factstream.local..")) {
            assertThat(PRODUCTION.stream().anyMatch(c -> c.getPackageName().startsWith(layer.replace("..", ""))))
                    .as("classes in %s", layer).isTrue();
        }
    }

    @Test
    void aFlinkImportInTheKernelBreaksThePurityRule() {
        EvaluationResult result = PURE_LAYERS.evaluate(new ClassFileImporter().importClasses(DeciderOnFlink.class));

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains(DeciderOnFlink.class.getName(), "org.apache.flink");
    }

    @Test
    void theKernelUsingTheDomainBreaksTheLayers() {
        EvaluationResult result = LAYERS.evaluate(new ClassFileImporter().importClasses(KernelUsingTheDomain.class,
                io.factstream.domain.Deciders.class));

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains(KernelUsingTheDomain.class.getName());
    }

    @Test
    void twoPackagesUsingEachOtherBreakTheCycleRule() {
        EvaluationResult result = NO_PACKAGE_CYCLES.evaluate(new ClassFileImporter().importClasses(Chicken.class,
                Egg.class));

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains("Cycle", Chicken.class.getName());
    }

    private static String[] concat(Object... parts) {
        return Arrays.stream(parts)
                .flatMap(p -> p instanceof String[] many ? Arrays.stream(many) : Stream.of(p))
                .map(String.class::cast)
                .toArray(String[]::new);
    }
}
