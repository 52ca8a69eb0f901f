package io.factstream.gateway.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Base64;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.factstream.gateway.api.ApiRoute;
import io.factstream.gateway.api.Json;
import io.factstream.gateway.api.Problem;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;

/**
 * Finds who is calling: a bearer token, HTTP basic (user id and token), or the cookie that logging in through the
 * web page sets (HTTP-only, same-site strict, so no other site's page can send it). A request without valid
 * credentials is answered 401 before its route runs. The session routes log a browser in and out.
 */
public final class Authentication {

    /** The cookie the web page's login sets; it holds the token, so it is HTTP-only. */
    private static final String COOKIE = ApiRoute.SESSION_COOKIE;

    private static final String CALLER = "factstream.caller";

    private final Users users;

    public Authentication(Users users) {
        this.users = users;
    }

    /** The authenticated caller of a request; 401 when there is none. */
    public Caller authenticate(Context ctx) {
        Caller known = ctx.attribute(CALLER);
        if (known != null) {
            return known;
        }
        Caller caller = credentials(ctx).orElseThrow(() -> {
            ctx.header("WWW-Authenticate", "Bearer realm=\"factstream\"");
            return new Problem(401, "UNAUTHENTICATED", "log in: send 'Authorization: Bearer <token>', or HTTP "
                    + "basic with your user id and token");
        });
        ctx.attribute(CALLER, caller);
        return caller;
    }

    /** The caller a route's handler runs for; routes open to anyone have none. */
    public static Caller caller(Context ctx) {
        Caller caller = ctx.attribute(CALLER);
        if (caller == null) {
            throw new IllegalStateException("the route " + ctx.path() + " was not authenticated");
        }
        return caller;
    }

    /** The routes of a browser session: log in (a cookie), who am I, log out. */
    public List<ApiRoute> routes() {
        return List.of(
                ApiRoute.post("/api/session").tag("session").anyone()
                        .summary("Logs a browser in: checks the user id and token of the JSON body "
                                + "{\"userId\", \"token\"} and sets an HTTP-only session cookie.")
                        .responds(200, "Logged in: the user and their roles.")
                        .responds(400, "The body is not {\"userId\", \"token\"}.")
                        .responds(401, "No such user, or not their token.")
                        .handler(this::logIn),
                ApiRoute.delete("/api/session").tag("session").anyone()
                        .summary("Logs a browser out: clears the session cookie.")
                        .responds(204, "Logged out.")
                        .handler(ctx -> {
                            ctx.removeCookie(COOKIE, "/");
                            ctx.status(204);
                        }),
                ApiRoute.get("/api/me").tag("session")
                        .summary("Who the credentials of the request belong to: user id and roles.")
                        .responds(200, "The caller.")
                        .handler(ctx -> ctx.contentType("application/json").result(Json.text(me(caller(ctx))))));
    }

    private void logIn(Context ctx) throws Exception {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(ctx.bodyAsBytes());
        } catch (Exception e) {
            throw Problem.badRequest("MALFORMED_JSON", "the body is not JSON: " + e.getMessage());
        }
        JsonNode userId = body == null ? null : body.get("userId");
        JsonNode token = body == null ? null : body.get("token");
        if (userId == null || !userId.isTextual() || token == null || !token.isTextual()) {
            throw Problem.badRequest("INVALID_FIELD", "the body must be {\"userId\": \"...\", \"token\": \"...\"}");
        }
        Caller caller = users.byIdAndToken(userId.asText(), token.asText())
                .orElseThrow(() -> new Problem(401, "UNAUTHENTICATED", "no user '" + userId.asText()
                        + "' with that token"));
        boolean secure = "https".equals(ctx.scheme()) || "https".equals(ctx.header("X-Forwarded-Proto"));
        ctx.cookie(new Cookie(COOKIE, token.asText(), "/", -1, secure, true, null, SameSite.STRICT));
        ctx.contentType("application/json").result(Json.text(me(caller)));
    }

    private Optional<Caller> credentials(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization != null) {
            if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return users.byToken(authorization.substring(7).trim());
            }
            if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                return basic(authorization.substring(6).trim());
            }
            return Optional.empty();
        }
        String cookie = ctx.cookie(COOKIE);
        return cookie == null ? Optional.empty() : users.byToken(cookie);
    }

    private Optional<Caller> basic(String encoded) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        return colon < 1 ? Optional.empty() : users.byIdAndToken(decoded.substring(0, colon),
                decoded.substring(colon + 1));
    }

    private static ObjectNode me(Caller caller) {
        ObjectNode json = Json.object().put("userId", caller.userId());
        caller.roles().forEach(role -> json.withArray("roles").add(role.name()));
        return json;
    }
}
