package io.factstream.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;

import org.apache.avro.Schema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.views.ViewCatalog;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.kernel.view.ViewDefinition;
import io.factstream.state.AggregateSnapshot;

/** The domain's registries hold exactly what the catalog has: a decider for each context, a definition per view. */
class RegistriesTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(BoundedContext.class)
    void eachContextHasItsDecider(BoundedContext context) {
        assertThat(Deciders.forContext(context).context()).as("the decider registered for %s", context.id())
                .isEqualTo(context);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(BoundedContext.class)
    void eachDecidersStateIsABranchOfTheAggregateSnapshot(BoundedContext context) {
        Class<?> decider = Deciders.forContext(context).getClass();
        Type state = Arrays.stream(decider.getGenericInterfaces()).map(ParameterizedType.class::cast)
                .filter(type -> type.getRawType() == Decider.class).findFirst().orElseThrow()
                .getActualTypeArguments()[0];
        List<String> branches = AggregateSnapshot.getClassSchema().getField("state").schema().getTypes().stream()
                .map(Schema::getFullName).toList();

        assertThat(branches).as("AggregateSnapshot.state in state.avsc holds the state of %s",
                decider.getSimpleName()).contains(state.getTypeName());
    }

    @Test
    void eachViewOfTheCatalogIsDefinedOnceInViews() {
        List<String> defined = Views.all().stream().map(ViewDefinition::name).toList();

        assertThat(defined)
                .as("io.factstream.domain.Views.all() defines a view for each row record of ViewRow.row in "
                        + "views.avsc; the catalog's views are %s", ViewCatalog.get().names())
                .containsExactlyElementsOf(ViewCatalog.get().names());
    }
}
