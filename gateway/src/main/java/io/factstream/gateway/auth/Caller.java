package io.factstream.gateway.auth;

import java.util.List;

import io.factstream.catalog.Role;

/**
 * Who sent a request, as the users file says: the user id and roles the gateway stamps into every command the
 * request sends. A client never chooses them.
 */
public record Caller(String userId, List<Role> roles) {

    public Caller {
        roles = List.copyOf(roles);
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }
}
