package io.factstream.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.factstream.catalog.Role;
import io.factstream.embedded.EmbeddedPlatform;
import io.factstream.gateway.auth.Users;

/**
 * The platform the gateway's integration tests share, started by the first test class that registers it and
 * stopped when all tests are done (the tests run in one fork, one class after another): the six jobs on a mini
 * cluster and a broker, checkpointing every 200 ms, and a gateway in front of them. Its users are
 * {@code customer-1} to {@code customer-300}, {@code cook-1}, {@code courier-1} and {@code support-1}, each with
 * the token {@link #token(String)}.
 *
 * <pre>{@code @RegisterExtension static final GatewayTestPlatform.Shared PLATFORM = new GatewayTestPlatform.Shared();}</pre>
 */
final class GatewayTestPlatform implements ExtensionContext.Store.CloseableResource {

    /** Registers a test class with the shared platform. */
    static final class Shared implements BeforeAllCallback {
        private GatewayTestPlatform platform;

        @Override
        public void beforeAll(ExtensionContext context) {
            platform = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(
                    GatewayTestPlatform.class, key -> start(), GatewayTestPlatform.class);
        }

        GatewayTestPlatform get() {
            return platform;
        }
    }

    final EmbeddedPlatform platform;
    final Gateway gateway;

    private GatewayTestPlatform() throws Exception {
        EmbeddedPlatform.Settings quick = EmbeddedPlatform.Settings.quick();
        this.platform = EmbeddedPlatform.start(new EmbeddedPlatform.Settings(quick.partitions(),
                Duration.ofMillis(200), quick.timeouts(), quick.time()), EmbeddedPlatform.Logic.standard());
        this.gateway = startGateway(builder -> builder);
    }

    private static GatewayTestPlatform start() {
        try {
            return new GatewayTestPlatform();
        } catch (Exception e) {
            throw new IllegalStateException("the gateway test platform did not start: " + e, e);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            gateway.close();
        } finally {
            platform.close();
        }
    }

    /** Another gateway on the same platform, on a free port, with quick heartbeats; the caller closes it. */
    Gateway startGateway(UnaryOperator<Gateway.Builder> adjust) {
        return adjust.apply(Gateway.builder()
                .bootstrapServers(platform.bootstrapServers())
                .users(users())
                .port(0)
                .heartbeat(Duration.ofMillis(500)))
                .start();
    }

    String bootstrapServers() {
        return platform.bootstrapServers();
    }

    /** The token of a test user. */
    static String token(String userId) {
        return "token-of-" + userId;
    }

    static Users users() {
        List<Users.User> users = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            users.add(user("customer-" + i, Role.CUSTOMER));
        }
        users.add(user("cook-1", Role.KITCHEN_STAFF));
        users.add(user("courier-1", Role.COURIER));
        users.add(user("support-1", Role.SUPPORT));
        return Users.of(users);
    }

    private static Users.User user(String userId, Role role) {
        return new Users.User(userId, List.of(role), Users.hash(token(userId)));
    }
}
