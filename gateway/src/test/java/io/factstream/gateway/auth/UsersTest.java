package io.factstream.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.catalog.Role;

class UsersTest {

    @TempDir
    Path dir;

    @Test
    void aWrittenFileReadsBackAndHoldsNoToken() throws Exception {
        String token = Users.newToken();
        Path file = dir.resolve("users.json");
        Users.write(file, List.of(new Users.User("cook-1", List.of(Role.KITCHEN_STAFF), Users.hash(token))));

        Users users = Users.read(file);

        assertThat(Files.readString(file)).doesNotContain(token);
        assertThat(users.byToken(token)).contains(new Caller("cook-1", List.of(Role.KITCHEN_STAFF)));
        assertThat(users.byIdAndToken("cook-1", token)).isPresent();
        assertThat(users.byIdAndToken("cook-2", token)).isEmpty();
        assertThat(users.byToken(token + "x")).isEmpty();
    }

    @Test
    void tokensAreRandomAndLong() {
        assertThat(Users.newToken()).hasSizeGreaterThanOrEqualTo(43).isNotEqualTo(Users.newToken());
    }

    @Test
    void aBadFileSaysWhatAndWhere() throws Exception {
        assertRefused("{}", "no \"users\" array");
        assertRefused("{\"users\": [{\"userId\": \"a\", \"roles\": [\"CHEF\"], \"tokenSha256\": \"" + "0".repeat(64)
                + "\"}]}", "users[0]: unknown role 'CHEF'");
        assertRefused("{\"users\": [{\"userId\": \"a\", \"roles\": [\"COURIER\"], \"tokenSha256\": \"abc\"}]}",
                "users[0]: tokenSha256");
        assertRefused("{\"users\": [{\"roles\": [\"COURIER\"]}]}", "users[0]: userId");
        String twice = "{\"userId\": \"a\", \"roles\": [\"COURIER\"], \"tokenSha256\": \"" + "1".repeat(64) + "\"}";
        assertRefused("{\"users\": [" + twice + ", " + twice + "]}", "listed twice");
        assertRefused("{\"users\": [", "cannot read");
    }

    private void assertRefused(String json, String message) throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, json);
        assertThatThrownBy(() -> Users.read(file)).isInstanceOf(IOException.class).hasMessageContaining(message);
    }
}
