package io.factstream.gateway.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.factstream.catalog.Role;
import io.factstream.gateway.api.Json;

/**
 * The users file: who may call the gateway, with which roles, and the SHA-256 of their token (the file holds no
 * token). It is JSON:
 *
 * <pre>{"users": [{"userId": "customer-1", "roles": ["CUSTOMER"], "tokenSha256": "9f86d0..."}]}</pre>
 *
 * A caller presents the token as {@code Authorization: Bearer <token>}, as HTTP basic with the user id as user name
 * and the token as password, or in the {@code factstream_token} cookie the web page's login sets. Tokens are
 * random (see {@link #newToken()}), which is why a plain hash, and not a slow password hash, is enough.
 */
public final class Users {

    /** A user as the file lists them. */
    public record User(String userId, List<Role> roles, String tokenSha256) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, User> byTokenHash = new HashMap<>();
    private final Map<String, User> byId = new HashMap<>();

    private Users(List<User> users) {
        for (User user : users) {
            if (byId.put(user.userId(), user) != null) {
                throw new IllegalArgumentException("the user '" + user.userId() + "' is listed twice");
            }
            if (byTokenHash.put(user.tokenSha256(), user) != null) {
                throw new IllegalArgumentException("two users share the token of '" + user.userId() + "'");
            }
        }
    }

    /** The users of a list. */
    public static Users of(List<User> users) {
        return new Users(users);
    }

    /** Reads a users file; fails with what is wrong and where. */
    public static Users read(Path file) throws IOException {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IOException("cannot read the users file " + file + ": " + e.getMessage(), e);
        }
        JsonNode list = json == null ? null : json.get("users");
        if (list == null || !list.isArray()) {
            throw new IOException("the users file " + file + " has no \"users\" array");
        }
        List<User> users = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            users.add(user(list.get(i), file + ": users[" + i + "]"));
        }
        try {
            return new Users(users);
        } catch (IllegalArgumentException e) {
            throw new IOException("the users file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a users file of these users. */
    public static void write(Path file, List<User> users) throws IOException {
        ArrayNode list = Json.MAPPER.createArrayNode();
        for (User user : users) {
            ObjectNode entry = list.addObject().put("userId", user.userId());
            user.roles().forEach(role -> entry.withArray("roles").add(role.name()));
            entry.put("tokenSha256", user.tokenSha256());
        }
        ObjectNode json = Json.object();
        json.set("users", list);
        Files.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
    }

    /** A new random token: 32 bytes, URL-safe base64. */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The hex SHA-256 of a token, as the users file holds it. */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    /** The user whose token this is. */
    public Optional<Caller> byToken(String token) {
        return Optional.ofNullable(byTokenHash.get(hash(token))).map(Users::caller);
    }

    /** The user of this id, if the token is theirs. */
    public Optional<Caller> byIdAndToken(String userId, String token) {
        User user = byId.get(userId);
        boolean matches = user != null && MessageDigest.isEqual(user.tokenSha256().getBytes(UTF_8),
                hash(token).getBytes(UTF_8));
        return matches ? Optional.of(caller(user)) : Optional.empty();
    }

    public int size() {
        return byId.size();
    }

    private static Caller caller(User user) {
        return new Caller(user.userId(), user.roles());
    }

    private static User user(JsonNode json, String where) throws IOException {
        String userId = text(json, "userId", where);
        String hash = text(json, "tokenSha256", where);
        if (!hash.matches("[0-9a-f]{64}")) {
            throw new IOException(where + ": tokenSha256 must be 64 lower-case hex digits");
        }
        JsonNode roles = json.get("roles");
        if (roles == null || !roles.isArray() || roles.isEmpty()) {
            throw new IOException(where + ": roles must be a non-empty array");
        }
        List<Role> parsed = new ArrayList<>();
        for (JsonNode role : roles) {
            try {
                parsed.add(Role.valueOf(role.asText()));
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": unknown role '" + role.asText() + "', expected one of "
                        + List.of(Role.values()), e);
            }
        }
        return new User(userId, parsed, hash);
    }

    private static String text(JsonNode json, String field, String where) throws IOException {
        JsonNode value = json == null ? null : json.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IOException(where + ": " + field + " must be a non-empty string");
        }
        return value.asText();
    }
}
