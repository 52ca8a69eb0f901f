package io.factstream.domain.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;

class EventCatalogDocumentTest {

    /** Surefire runs in the module directory; the document lives at the repository root. */
    private static final Path COMMITTED = Path.of("..").resolve(EventCatalogDocument.PATH);

    @Test
    void theCommittedDocumentIsUpToDate() throws Exception {
        String rendered = EventCatalogDocument.render(EventCatalog.get());

        assertThat(Files.readString(COMMITTED, StandardCharsets.UTF_8))
                .as("%s is out of date; regenerate it with: "
                        + "mvn -q -pl domain -am process-classes -Pdocs", EventCatalogDocument.PATH)
                .isEqualTo(rendered);
    }

    @Test
    void theCommittedDocumentHasASectionForEveryCommandAndEventTypeInTheSchemas() throws Exception {
        String document = Files.readString(COMMITTED, StandardCharsets.UTF_8);

        for (Schema command : CommandEnvelope.getClassSchema().getField("commandData").schema().getTypes()) {
            assertThat(document).contains("\n### Command: " + command.getName() + "\n");
        }
        for (Schema event : EventEnvelope.getClassSchema().getField("eventData").schema().getTypes()) {
            assertThat(document).contains("\n### Event: " + event.getName() + "\n");
        }
    }
}
