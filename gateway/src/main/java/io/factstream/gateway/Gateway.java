package io.factstream.gateway;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.factstream.gateway.api.ApiRoute;
import io.factstream.gateway.api.Json;
import io.factstream.gateway.api.OpenApi;
import io.factstream.gateway.api.Problem;
import io.factstream.gateway.api.Requests;
import io.factstream.gateway.auth.Authentication;
import io.factstream.gateway.auth.Users;
import io.factstream.gateway.commands.CommandOutcomes;
import io.factstream.gateway.commands.CommandRoutes;
import io.factstream.gateway.commands.OutcomeLookup;
import io.factstream.gateway.live.Subscriptions;
import io.factstream.gateway.read.CatalogRoutes;
import io.factstream.gateway.read.HistoryFollower;
import io.factstream.gateway.read.QueryRoutes;
import io.factstream.gateway.read.ReadYourWrites;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.staticfiles.Location;

/**
 * The platform's front door: an HTTP server (Javalin on Jetty) whose routes are the catalog's commands, the views,
 * the event store and their live feeds, plus the web page under {@code /}. It holds no state but caches (the
 * outcomes it has seen, the views' memory images), so any number of instances can stand behind a load balancer:
 * each follows the outcome and view topics itself.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.builder()
 *         .bootstrapServers("localhost:9092")
 *         .users(Users.read(Path.of("users.json")))
 *         .port(8080)
 *         .start();
 * }</pre>
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final CommandOutcomes outcomes;
    private final ReadYourWrites readYourWrites;
    private final HistoryFollower history;
    private final QueryRoutes queries;
    private final CommandRoutes commands;
    private final Subscriptions subscriptions;
    private final ExecutorService lookups;
    private final List<ApiRoute> routes = new ArrayList<>();
    private final List<String> served = new CopyOnWriteArrayList<>();
    private final Javalin app;

    private Gateway(Builder settings) {
        // A fixed pool: threads that grew for a burst would leave Jetty's pool one per idle timeout, and subscribers
        // and waiting commands hold no thread while they wait (their requests are asynchronous). The same threads
        // write the answers that waited, so that the followers only read.
        QueuedThreadPool http = new QueuedThreadPool(settings.httpThreads, settings.httpThreads);
        http.setName("gateway-http");
        this.outcomes = CommandOutcomes.start(settings.bootstrapServers, settings.outcomeWarmUp,
                settings.outcomeMemory);
        this.readYourWrites = new ReadYourWrites(settings.bootstrapServers, settings.viewsGroup, settings.readWait);
        outcomes.onEvent(stored -> readYourWrites.eventStored(stored.event().getEventId(), stored.partition(),
                stored.offset()));
        this.history = new HistoryFollower(settings.bootstrapServers);
        history.onChange(readYourWrites::versionCommitted);
        this.queries = new QueryRoutes(settings.bootstrapServers, readYourWrites, http);
        this.lookups = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "gateway-outcome-lookup");
            thread.setDaemon(true);
            return thread;
        });
        this.commands = new CommandRoutes(settings.bootstrapServers, outcomes,
                new OutcomeLookup(settings.bootstrapServers), lookups, http, settings.commandWait,
                settings.maxBodyBytes, settings.clock);
        this.subscriptions = new Subscriptions(settings.bootstrapServers, outcomes, history, queries::image,
                settings.heartbeat, settings.maxQueued);
        history.start();
        Authentication authentication = new Authentication(settings.users);
        routes.addAll(authentication.routes());
        routes.addAll(commands.routes()); // the command types before the catch-all of other command paths
        routes.addAll(queries.routes());
        routes.addAll(subscriptions.routes());
        routes.addAll(new CatalogRoutes(CommandRoutes::path).routes());
        routes.add(ApiRoute.get("/api/health").tag("platform").anyone()
                .summary("Whether the gateway follows its topics: outcomes caught up, views' lag, subscribers.")
                .responds(200, "Up.")
                .responds(503, "A follower stopped.")
                .handler(ctx -> health(ctx)));
        routes.add(ApiRoute.get("/api/openapi.json").tag("platform").anyone()
                .summary("This description of every route.")
                .responds(200, "The OpenAPI 3.1 document.")
                .handler(ctx -> Requests.ok(ctx, openApi())));
        this.app = Javalin.create(config -> {
            config.jetty.threadPool = http;
            config.startup.showJavalinBanner = false;
            config.staticFiles.add("/public", Location.CLASSPATH);
            config.events.handlerAdded(added -> served.add(added.getHttpMethod().name() + " " + added.getPath()));
            for (ApiRoute route : routes) {
                Handler handler = route.handler();
                config.routes.addHttpHandler(route.method(), route.path(), route.access() == ApiRoute.Access.USER
                        ? ctx -> {
                            authentication.authenticate(ctx);
                            handler.handle(ctx);
                        }
                        : handler);
            }
            config.routes.exception(Problem.class, (problem, ctx) -> problem.writeTo(ctx));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                new Problem(500, "INTERNAL", "the gateway failed: " + e).writeTo(ctx);
            });
        });
        app.start(settings.host, settings.port);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port it listens on (the one chosen when started on port 0). */
    public int port() {
        return app.port();
    }

    /** Its address, e.g. {@code http://localhost:8080}. */
    public URI url() {
        return URI.create("http://localhost:" + port());
    }

    /** Every route it serves, as the OpenAPI document describes them. */
    public List<ApiRoute> routes() {
        return List.copyOf(routes);
    }

    /** Every handler Javalin serves, as {@code METHOD path}: what the OpenAPI document must describe. */
    public List<String> servedRoutes() {
        return List.copyOf(served);
    }

    /** How many live subscribers are connected. */
    public int subscribers() {
        return subscriptions.count();
    }

    /** The OpenAPI document of its routes. */
    public ObjectNode openApi() {
        return OpenApi.of(routes, Gateway.class.getPackage().getImplementationVersion() != null
                ? Gateway.class.getPackage().getImplementationVersion() : "development");
    }

    private void health(Context ctx) {
        boolean up = history.failure() == null;
        ObjectNode json = Json.object().put("status", up ? "UP" : "DOWN")
                .put("outcomesCaughtUp", outcomes.caughtUp())
                .put("waitingCommands", outcomes.waitingCount())
                .put("waitingQueries", readYourWrites.waitingCount())
                .put("subscribers", subscriptions.count());
        ObjectNode lags = json.putObject("viewLag");
        queries.lags().forEach(lags::put);
        ctx.status(up ? 200 : 503);
        Requests.ok(ctx, json);
    }

    @Override
    public void close() throws Exception {
        try {
            app.stop();
        } finally {
            subscriptions.close();
            history.close();
            commands.close();
            queries.close();
            readYourWrites.close();
            outcomes.close();
            lookups.shutdownNow();
        }
    }

    /** How a gateway runs; every setting but the broker and the users has a default. */
    public static final class Builder {
        private String bootstrapServers;
        private Users users;
        private String host = "0.0.0.0";
        private int port = 8080;
        private Duration commandWait = Duration.ofSeconds(10);
        private Duration readWait = Duration.ofSeconds(10);
        private Duration heartbeat = Duration.ofSeconds(15);
        private Duration outcomeWarmUp = Duration.ofMinutes(10);
        private int outcomeMemory = 20_000;
        private String viewsGroup = "factstream-views";
        private int maxBodyBytes = 64 * 1024;
        private int maxQueued = 10_000;
        private int httpThreads = 32;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        public Builder users(Users users) {
            this.users = users;
            return this;
        }

        /** The address to listen on (default: every interface). */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The port (default 8080; 0 for any free one). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** How long a command request waits for its outcome before it answers 202 (default 10 s). */
        public Builder commandWait(Duration commandWait) {
            this.commandWait = commandWait;
            return this;
        }

        /** How long a query with {@code ?after=} waits for the view (default 10 s). */
        public Builder readWait(Duration readWait) {
            this.readWait = readWait;
            return this;
        }

        /** How often live subscribers get a heartbeat (default 15 s). */
        public Builder heartbeat(Duration heartbeat) {
            this.heartbeat = heartbeat;
            return this;
        }

        /** How much outcome history to read on start, to answer retries of recent commands (default 10 min). */
        public Builder outcomeWarmUp(Duration outcomeWarmUp) {
            this.outcomeWarmUp = outcomeWarmUp;
            return this;
        }

        /** How many outcomes to remember (default 20,000). */
        public Builder outcomeMemory(int outcomeMemory) {
            this.outcomeMemory = outcomeMemory;
            return this;
        }

        /** The consumer group of the view job, whose progress read-your-writes waits for. */
        public Builder viewsGroup(String viewsGroup) {
            this.viewsGroup = viewsGroup;
            return this;
        }

        /** The largest command body (default 64 KiB). */
        public Builder maxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /** How many messages may wait for a slow subscriber before it is disconnected (default 10,000). */
        public Builder maxQueued(int maxQueued) {
            this.maxQueued = maxQueued;
            return this;
        }

        /** The HTTP threads (default 32), for requests being handled; subscribers and waiting commands hold none. */
        public Builder httpThreads(int httpThreads) {
            this.httpThreads = httpThreads;
            return this;
        }

        /** The clock that stamps commands. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Starts the gateway: its followers, then the HTTP server. */
        public Gateway start() {
            if (bootstrapServers == null || users == null) {
                throw new IllegalStateException("a gateway needs bootstrap servers and users");
            }
            return new Gateway(this);
        }
    }
}
