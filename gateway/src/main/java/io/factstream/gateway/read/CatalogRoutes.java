package io.factstream.gateway.read;

import static io.factstream.gateway.api.Requests.ok;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandType;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventType;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.Role;
import io.factstream.catalog.views.ViewCatalog;
import io.factstream.domain.shared.Menu;
import io.factstream.gateway.api.ApiRoute;
import io.factstream.gateway.api.Json;
import io.factstream.gateway.api.JsonSchemas;

/**
 * What a client needs to know to talk to the platform, open to anyone: the event catalog (per context its
 * commands with their route, roles, rules, produced events and JSON schema; its events; the views) and the menu.
 */
public final class CatalogRoutes {

    private final String catalog;
    private final String menu;

    /** @param commandPath the route of a command type */
    public CatalogRoutes(Function<CommandType, String> commandPath) {
        this.catalog = Json.text(catalog(EventCatalog.get(), commandPath));
        this.menu = Json.text(menu(Menu.standard()));
    }

    public List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get("/api/catalog").tag("catalog").anyone()
                        .summary("The event catalog: per context its commands (route, allowed roles, rules, "
                                + "events, JSON schema) and events, and the views.")
                        .responds(200, "The catalog.")
                        .handler(ctx -> ok(ctx, catalog)),
                ApiRoute.get("/api/menu").tag("catalog").anyone()
                        .summary("The menu: every pizza with its price in cents by size.")
                        .responds(200, "The menu.")
                        .handler(ctx -> ok(ctx, menu)));
    }

    private static ObjectNode catalog(EventCatalog catalog,
                                      Function<CommandType, String> commandPath) {
        ObjectNode json = Json.object();
        ArrayNode contexts = json.putArray("contexts");
        for (BoundedContext context : BoundedContext.values()) {
            ObjectNode entry = contexts.addObject().put("id", context.id())
                    .put("aggregateType", context.aggregateType());
            ArrayNode commands = entry.putArray("commands");
            for (CommandType type : catalog.commandTypes(context)) {
                ObjectNode command = commands.addObject().put("name", type.name()).put("doc", type.doc())
                        .put("route", "POST " + commandPath.apply(type)).put("sentBy", type.sentBy());
                type.allowedRoles().stream().map(Role::name).sorted()
                        .forEach(role -> command.withArray("allowedRoles").add(role));
                type.rules().forEach(rule -> command.withArray("rules").add(rule));
                type.produces().forEach(event -> command.withArray("produces").add(event));
                command.set("schema", JsonSchemas.of(type.schema()));
            }
            ArrayNode events = entry.putArray("events");
            for (EventType type : catalog.eventTypes(context)) {
                events.addObject().put("name", type.name()).put("doc", type.doc()).put("topic", type.topic());
            }
        }
        ArrayNode views = json.putArray("views");
        ViewCatalog.get().viewTypes().forEach(view -> views.addObject().put("name", view.name())
                .put("doc", view.doc()).set("schema", JsonSchemas.of(view.row())));
        return json;
    }

    private static ObjectNode menu(Menu menu) {
        ObjectNode json = Json.object();
        ArrayNode pizzas = json.putArray("pizzas");
        for (Map.Entry<String, Map<PizzaSize, Long>> pizza : menu.pizzas().entrySet()) {
            ObjectNode prices = pizzas.addObject().put("name", pizza.getKey()).putObject("priceCents");
            pizza.getValue().forEach((size, cents) -> prices.put(size.name(), cents));
        }
        return json;
    }
}
