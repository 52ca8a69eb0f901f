package io.factstream.gateway.commands;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandType;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.Role;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.gateway.api.ApiRoute;
import io.factstream.gateway.api.Json;
import io.factstream.gateway.api.Problem;
import io.factstream.gateway.api.Requests;
import io.factstream.gateway.auth.Authentication;
import io.factstream.gateway.auth.Caller;
import io.factstream.gateway.json.JsonAvro;
import io.factstream.gateway.json.JsonAvroException;
import io.factstream.kafka.clients.KafkaConnection;
import io.javalin.http.Context;

/**
 * The mutations: one route per command type of the catalog, {@code POST /api/<context>/<aggregateId>/<Command>}
 * with the command's fields as JSON. The body is checked against the command's Avro schema before anything is
 * written; the command is then stamped ({@link CommandStamp}), written to {@code <context>.commands}, and the
 * request waits for its outcome ({@link CommandOutcomes}): 201 with the events, or the rejection's status, or
 * 202 with a {@code Location} to poll when the wait ends first.
 */
public final class CommandRoutes implements AutoCloseable {

    private final EventCatalog catalog = EventCatalog.get();
    private final SingleObjectCodec<CommandEnvelope> codec = SingleObjectCodec.forType(CommandEnvelope.class);
    private final KafkaProducer<byte[], byte[]> producer;
    private final CommandOutcomes outcomes;
    private final OutcomeLookup lookup;
    private final Executor lookups;
    private final Executor responders;
    private final Duration wait;
    private final int maxBodyBytes;
    private final Clock clock;

    /**
     * @param wait         how long a request waits for its command's outcome
     * @param maxBodyBytes the largest command body accepted
     * @param lookups      where the event store is searched when the wait ends without an outcome
     * @param responders   where answers are written: never on the outcome follower's thread, which would otherwise
     *                     wait for every client's socket before it reads the next outcome
     */
    public CommandRoutes(String bootstrapServers, CommandOutcomes outcomes, OutcomeLookup lookup, Executor lookups,
                         Executor responders, Duration wait, int maxBodyBytes, Clock clock) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000"); // a client waits for it, not a batch job
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "factstream-gateway-commands");
        this.producer = KafkaConnection.to(bootstrapServers).producer(props);
        this.outcomes = outcomes;
        this.lookup = lookup;
        this.lookups = lookups;
        this.responders = responders;
        this.wait = wait;
        this.maxBodyBytes = maxBodyBytes;
        this.clock = clock;
    }

    /** The path of a command type's route, e.g. {@code /api/orders/{orderId}/PlaceOrder}. */
    public static String path(CommandType type) {
        return "/api/" + type.context().id() + "/{" + idParameter(type.context()) + "}/" + type.name();
    }

    /** The routes: every command type, the outcome of a command, and a 400 for any other command path. */
    public List<ApiRoute> routes() {
        List<ApiRoute> routes = new ArrayList<>();
        for (CommandType type : catalog.commandTypes()) {
            String id = idParameter(type.context());
            routes.add(ApiRoute.post(path(type)).tag(type.context().id())
                    .summary(type.doc() + " Allowed roles: " + type.allowedRoles().stream().map(Role::name).sorted()
                            .toList() + ".")
                    .pathParam(id, "The " + type.context().aggregateType() + "'s id: the command's subject.")
                    .header("Idempotency-Key", "Makes the command idempotent: sent again with the same key, it "
                            + "returns the first outcome and changes nothing.")
                    .header("If-Match", "The aggregate version the command expects; another version gives 409.")
                    .header("X-Correlation-Id", "The conversation the command belongs to; default: the subject.")
                    .body(type.schema())
                    .responds(201, "Accepted: the events, the aggregate's new version, the event-store position.")
                    .responds(202, "Not decided within the wait: poll the Location.")
                    .responds(400, "Not a " + type.name() + ": the error names the field or header.")
                    .responds(403, "Rejected UNAUTHORIZED: the caller's roles may not do this.")
                    .responds(404, "Rejected UNKNOWN_AGGREGATE.")
                    .responds(409, "Rejected CONCURRENCY_CONFLICT: If-Match is not the aggregate's version.")
                    .responds(422, "Rejected INVALID_COMMAND or BUSINESS_RULE_VIOLATION, with the reason.")
                    .responds(503, "Rejected QUARANTINED: the aggregate is parked until its commands are redriven.")
                    .handler(ctx -> send(ctx, type, ctx.pathParam(id))));
        }
        routes.add(ApiRoute.get("/api/commands/{context}/{aggregateId}/{commandId}").tag("commands")
                .summary("The outcome of a command, as its POST would have answered; 202 while it is undecided.")
                .pathParam("context", "The context of the aggregate.")
                .pathParam("aggregateId", "The command's subject.")
                .pathParam("commandId", "The command id of a 202 answer.")
                .responds(201, "Accepted.")
                .responds(202, "Not decided yet (or never sent).")
                .responds(403, "Rejected UNAUTHORIZED.")
                .responds(404, "Rejected UNKNOWN_AGGREGATE, or the command is another user's.")
                .responds(409, "Rejected CONCURRENCY_CONFLICT.")
                .responds(422, "Rejected INVALID_COMMAND or BUSINESS_RULE_VIOLATION.")
                .responds(503, "Rejected QUARANTINED.")
                .handler(this::outcome));
        routes.add(ApiRoute.post("/api/{context}/{aggregateId}/{command}").tag("commands")
                .summary("Any other command path: 400, naming the contexts or the context's commands.")
                .pathParam("context", "Not a context of the catalog, or not the command's.")
                .pathParam("aggregateId", "The subject.")
                .pathParam("command", "Not a command type of the context.")
                .responds(400, "UNKNOWN_CONTEXT or UNKNOWN_COMMAND.")
                .handler(this::unknownCommand));
        return routes;
    }

    private void send(Context ctx, CommandType type, String subjectId) {
        Caller caller = Authentication.caller(ctx);
        SpecificRecord command = command(ctx, type);
        CommandEnvelope envelope = CommandStamp.stamp(caller, subjectId, command,
                new CommandStamp.ClientHeaders(ctx.header("Idempotency-Key"), ctx.header("If-Match"),
                        ctx.header("X-Correlation-Id")), clock.instant());
        String commandId = envelope.getCommandId();
        CompletableFuture<Outcome> outcome = outcomes.outcomeOf(commandId);
        if (!outcome.isDone()) {
            producer.send(new ProducerRecord<>(type.context().commandsTopic(), subjectId.getBytes(UTF_8),
                    codec.encode(envelope)), (written, error) -> {
                        if (error != null) {
                            outcomes.forget(commandId, outcome);
                            outcome.completeExceptionally(new Problem(503, "KAFKA_UNAVAILABLE",
                                    "the command could not be written: " + error.getMessage()));
                        }
                    });
        }
        // Only a client's own key can name a command sent before this instance followed the topics: a command id
        // the gateway made up is new, and its outcome can only come through the follower.
        boolean maybeOlder = ctx.header("Idempotency-Key") != null;
        ctx.future(() -> answer(ctx, type.context(), subjectId, commandId, outcome, wait, maybeOlder));
    }

    private void outcome(Context ctx) {
        Caller caller = Authentication.caller(ctx);
        BoundedContext context = Requests.context(ctx.pathParam("context"));
        String aggregateId = ctx.pathParam("aggregateId");
        String commandId = ctx.pathParam("commandId");
        Optional<Outcome> known = outcomes.known(commandId);
        if (known.isPresent()) {
            respond(ctx, caller, known.get());
        } else {
            ctx.future(() -> answer(ctx, context, aggregateId, commandId, new CompletableFuture<>(), Duration.ZERO,
                    true));
        }
    }

    /**
     * Answers with the outcome when it comes within the wait; else, for a command that may be older than what the
     * follower read, looks in the event store; else 202.
     */
    private CompletableFuture<Void> answer(Context ctx, BoundedContext context, String subjectId, String commandId,
                                           CompletableFuture<Outcome> outcome, Duration wait, boolean maybeOlder) {
        Caller caller = Authentication.caller(ctx);
        return outcome.thenApply(Optional::of)
                .completeOnTimeout(Optional.empty(), wait.toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(decided -> {
                    if (decided.isPresent()) {
                        return CompletableFuture.completedFuture(decided);
                    }
                    outcomes.forget(commandId, outcome);
                    return maybeOlder
                            ? CompletableFuture.supplyAsync(() -> find(context, subjectId, commandId), lookups)
                            : CompletableFuture.completedFuture(Optional.<Outcome>empty());
                })
                .handleAsync((decided, error) -> {
                    if (error != null) {
                        Throwable cause = error.getCause() != null ? error.getCause() : error;
                        (cause instanceof Problem p ? p : new Problem(503, "UNAVAILABLE", cause.getMessage()))
                                .writeTo(ctx);
                    } else if (decided.isPresent()) {
                        try {
                            respond(ctx, caller, decided.get());
                        } catch (Problem problem) {
                            problem.writeTo(ctx);
                        }
                    } else {
                        String location = "/api/commands/" + context.id() + "/" + subjectId + "/" + commandId;
                        ctx.status(202).header("Location", location).header("Retry-After", "1")
                                .contentType("application/json").result(Json.text(Json.object()
                                        .put("status", "PENDING").put("commandId", commandId)
                                        .put("location", location)));
                    }
                    return null;
                }, responders);
    }

    private Optional<Outcome> find(BoundedContext context, String subjectId, String commandId) {
        try {
            Optional<Outcome> found = lookup.find(context, subjectId, commandId);
            found.ifPresent(outcomes::remember);
            return found;
        } catch (Exception e) {
            throw new Problem(503, "UNAVAILABLE", "the event store could not be searched: " + e.getMessage());
        }
    }

    private static void respond(Context ctx, Caller caller, Outcome outcome) {
        if (!outcome.userId().equals(caller.userId()) && !caller.has(Role.SUPPORT)) {
            throw Problem.notFound("no command " + outcome.commandId() + " of yours");
        }
        if (outcome instanceof Outcome.Accepted accepted) {
            ctx.header("Location", "/api/streams/" + accepted.context().id() + "/" + accepted.aggregateId());
        }
        ctx.status(outcome.status()).contentType("application/json").result(Json.text(outcome.toJson()));
    }

    private SpecificRecord command(Context ctx, CommandType type) {
        String contentType = ctx.contentType();
        if (contentType != null && !contentType.toLowerCase().startsWith("application/json")) {
            throw new Problem(415, "UNSUPPORTED_MEDIA_TYPE", "send the command as application/json, not "
                    + contentType);
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body(ctx));
        } catch (JsonProcessingException e) {
            throw Problem.badRequest("MALFORMED_JSON", "the body is not JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw Problem.badRequest("MALFORMED_JSON", "the body could not be read: " + e.getMessage());
        }
        if (json == null || json.isMissingNode()) {
            throw Problem.badRequest("MALFORMED_JSON", "the body is empty; send the " + type.name() + " as JSON");
        }
        try {
            return JsonAvro.toRecord(json, type.schema());
        } catch (JsonAvroException e) {
            throw new Problem(400, "INVALID_FIELD", e.getMessage(), e.path());
        }
    }

    /** The body, read up to the limit: a larger one is refused before it is read whole. */
    private byte[] body(Context ctx) throws IOException {
        if (ctx.contentLength() > maxBodyBytes) {
            throw tooLarge(ctx.contentLength());
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                throw tooLarge(-1);
            }
            return body;
        }
    }

    private Problem tooLarge(long length) {
        return Problem.badRequest("BODY_TOO_LARGE", "the body " + (length >= 0 ? "has " + length + " bytes, " : "")
                + "more than the " + maxBodyBytes + " bytes a command may have");
    }

    private void unknownCommand(Context ctx) {
        BoundedContext context = Requests.context(ctx.pathParam("context"));
        List<String> commands = catalog.commandTypes(context).stream().map(CommandType::name).toList();
        String name = ctx.pathParam("command");
        String elsewhere = catalog.commandTypes().stream().filter(t -> t.name().equals(name)).findFirst()
                .map(t -> "; " + name + " is a command of " + t.context().id()).orElse("");
        throw new Problem(400, "UNKNOWN_COMMAND", "'" + name + "' is not a command of " + context.id()
                + elsewhere + "; the commands of " + context.id() + " are " + commands);
    }

    private static String idParameter(BoundedContext context) {
        String type = context.aggregateType();
        return Character.toLowerCase(type.charAt(0)) + type.substring(1) + "Id";
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
