package io.pocketsync.server.engine.auth;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.Credentials;
import io.pocketsync.api.auth.Grant;
import io.pocketsync.api.auth.Principal;
import io.pocketsync.api.model.Scope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Grants a scope to any device that presents one of the scope's configured tokens. Config
 * ({@code auth.static-token}): {@code tokens = scopeA:token1,scopeB:token2} (a scope may appear more than
 * once, so tokens can be rotated). Those tokens grant read-write; tokens given as read-only (the provider's
 * {@code read-only-tokens}) grant read-only.
 *
 * <p>Only SHA-256 digests of the tokens are kept, and a presented token is compared with every entry
 * through {@link MessageDigest#isEqual} on fixed-length digests, so the time taken does not depend on
 * where a guess first differs, nor on which scope was asked for. A token of another scope is
 * {@code SCOPE_FORBIDDEN}; anything else that does not match is {@code AUTH_FAILED}. Both are for the server's log:
 * the engine answers the device {@code AUTH_FAILED} either way.
 *
 * <p>Immutable and thread-safe.
 */
public final class StaticTokenAuthenticator implements Authenticator {
    private final List<Entry> entries;

    /**
     * @param tokens scope name → its tokens, all read-write
     * @throws PocketSyncException {@code CONFIG_INVALID} for an invalid scope name or an empty token
     */
    public StaticTokenAuthenticator(Map<String, List<String>> tokens) {
        this(tokens, Map.of());
    }

    /**
     * @param tokens scope name → its read-write tokens
     * @param readOnlyTokens scope name → its read-only tokens
     * @throws PocketSyncException {@code CONFIG_INVALID} for an invalid scope name or an empty token
     */
    public StaticTokenAuthenticator(Map<String, List<String>> tokens, Map<String, List<String>> readOnlyTokens) {
        requireNonNull(tokens, "tokens is null");
        requireNonNull(readOnlyTokens, "readOnlyTokens is null");
        List<Entry> list = new ArrayList<>();
        add(list, tokens, Grant.READ_WRITE);
        add(list, readOnlyTokens, Grant.READ_ONLY);
        this.entries = List.copyOf(list);
    }

    private static void add(List<Entry> list, Map<String, List<String>> tokens, Grant grant) {
        tokens.forEach((scope, scopeTokens) -> {
            if (!Identifiers.isScopeOrDeviceId(scope)) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "invalid scope in static tokens: " + scope);
            }
            for (String token : scopeTokens) {
                if (token == null || token.isEmpty()) {
                    throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "empty token for scope " + scope);
                }
                list.add(new Entry(scope, digest(token), grant));
            }
        });
    }

    /**
     * Parses {@code scopeA:token1,scopeB:token2}. Scope names may contain {@code :}, so each pair is split
     * at its last colon; tokens therefore must not contain one.
     *
     * @param pairs comma-separated {@code SCOPE:TOKEN} pairs; a scope may be listed with several tokens
     * @return an authenticator accepting exactly those pairs
     */
    public static StaticTokenAuthenticator parse(String pairs) {
        Map<String, List<String>> tokens = pairs(pairs);
        if (tokens.isEmpty()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "no static tokens configured");
        }
        return new StaticTokenAuthenticator(tokens);
    }

    /**
     * Parses read-write and read-only {@code SCOPE:TOKEN} pairs (see {@link #parse}).
     *
     * @param pairs comma-separated read-write pairs; may be empty
     * @param readOnlyPairs comma-separated read-only pairs; may be empty
     * @return an authenticator accepting exactly those pairs, each with its grant
     * @throws PocketSyncException {@code CONFIG_INVALID} when both are empty or a pair is malformed
     */
    public static StaticTokenAuthenticator parse(String pairs, String readOnlyPairs) {
        Map<String, List<String>> tokens = pairs(pairs);
        Map<String, List<String>> readOnly = pairs(readOnlyPairs);
        if (tokens.isEmpty() && readOnly.isEmpty()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "no static tokens configured");
        }
        return new StaticTokenAuthenticator(tokens, readOnly);
    }

    private static Map<String, List<String>> pairs(String pairs) {
        requireNonNull(pairs, "pairs is null");
        Map<String, List<String>> tokens = new java.util.LinkedHashMap<>();
        for (String pair : pairs.split(",")) {
            String trimmed = pair.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.lastIndexOf(':');
            if (colon <= 0 || colon == trimmed.length() - 1) {
                // never echo the pair: it holds a token
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "static tokens must be scope:token pairs");
            }
            tokens.computeIfAbsent(trimmed.substring(0, colon), s -> new ArrayList<>()).add(trimmed.substring(colon + 1));
        }
        return tokens;
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        requireNonNull(credentials, "credentials is null");
        byte[] presented = digest(credentials.token());
        boolean granted = false;
        boolean writable = false;
        boolean otherScope = false;
        for (Entry entry : entries) {
            // compare with every entry, no early exit: timing says nothing about which one matched
            boolean equal = MessageDigest.isEqual(entry.digest, presented);
            boolean sameScope = entry.scope.equals(credentials.scope());
            granted |= equal & sameScope;
            writable |= equal & sameScope & entry.grant == Grant.READ_WRITE;
            otherScope |= equal & !sameScope;
        }
        if (granted) {
            return new Principal(Scope.of(credentials.scope()), credentials.deviceId(), null,
                    writable ? Grant.READ_WRITE : Grant.READ_ONLY);
        }
        if (otherScope) {
            throw new PocketSyncException(ErrorCode.SCOPE_FORBIDDEN, "token does not grant scope " + credentials.scope());
        }
        throw new PocketSyncException(ErrorCode.AUTH_FAILED, "invalid token for scope " + credentials.scope());
    }

    static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JRE", e);
        }
    }

    @Override
    public String toString() {
        return "StaticTokenAuthenticator[" + entries.size() + " tokens]";
    }

    private record Entry(String scope, byte[] digest, Grant grant) {}
}
