package io.pocketsync.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.model.Scope;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One admin API request as a route sees it: the path's parameters, the query's and the JSON body, each read through
 * a method that checks it and answers a bad value with 400 and a code that names the parameter. A route first lists
 * the query parameters it takes ({@link #accept}), so a misspelt one is an error rather than silently ignored.
 */
final class AdminRequest {
    private final String method;
    private final Map<String, String> path;
    private final Map<String, String> query;
    private final byte[] body;
    private final ObjectMapper json;

    AdminRequest(String method, Map<String, String> path, Map<String, String> query, byte[] body, ObjectMapper json) {
        this.method = requireNonNull(method, "method is null");
        this.path = Map.copyOf(path);
        this.query = Map.copyOf(query);
        this.body = requireNonNull(body, "body is null");
        this.json = requireNonNull(json, "json is null");
    }

    String method() {
        return method;
    }

    /** Refuses any query parameter but {@code names}. */
    AdminRequest accept(String... names) {
        Set<String> known = Set.of(names);
        for (String name : query.keySet()) {
            if (!known.contains(name)) {
                throw AdminException.badRequest(ErrorCode.INVALID_FIELD, "unknown query parameter '" + name + "'"
                        + (known.isEmpty() ? ": this call takes none" : "; it takes " + String.join(", ", new TreeSet<>(known))));
            }
        }
        return this;
    }

    /** The scope named in the path: a valid scope id. */
    Scope scope() {
        return Scope.of(identifier("scope"));
    }

    /** The device named in the path: a valid device id. */
    String device() {
        return identifier("device");
    }

    private String identifier(String name) {
        String value = path.get(name);
        if (!Identifiers.isScopeOrDeviceId(value)) {
            throw AdminException.badRequest(ErrorCode.IDENTIFIER_INVALID, "the " + name + " in the path must be 1-"
                    + Identifiers.MAX_LENGTH + " characters of [A-Za-z0-9._:@-]");
        }
        return value;
    }

    /** A positive number in the path. */
    long pathId(String name) {
        String value = path.get(name);
        try {
            long id = Long.parseLong(value);
            if (id > 0) {
                return id;
            }
        }
        catch (NumberFormatException e) {
            // below
        }
        throw AdminException.badRequest(ErrorCode.INVALID_FIELD, "the " + name + " in the path must be a positive number");
    }

    @Nullable String text(String name) {
        String value = query.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    long number(String name, long fallback, long min, long max) {
        String value = text(name);
        if (value == null) {
            return fallback;
        }
        try {
            long number = Long.parseLong(value);
            if (number >= min && number <= max) {
                return number;
            }
        }
        catch (NumberFormatException e) {
            // below
        }
        throw AdminException.badRequest(ErrorCode.INVALID_FIELD, "query parameter '" + name + "' must be a number from "
                + min + " to " + max);
    }

    /** An instant given as ISO-8601 ({@code 2030-01-01T10:00:00Z}) or epoch milliseconds. */
    @Nullable Instant instant(String name) {
        String value = text(name);
        if (value == null) {
            return null;
        }
        try {
            return value.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(value)) : Instant.parse(value);
        }
        catch (DateTimeParseException | NumberFormatException e) {
            throw AdminException.badRequest(ErrorCode.INVALID_FIELD, "query parameter '" + name
                    + "' must be an ISO-8601 instant such as 2030-01-01T10:00:00Z, or epoch milliseconds");
        }
    }

    /** One of {@code values}, upper-cased, or null when absent. */
    @Nullable String choice(String name, Set<String> values) {
        String value = text(name);
        if (value == null) {
            return null;
        }
        String upper = value.toUpperCase(java.util.Locale.ROOT);
        if (!values.contains(upper)) {
            throw AdminException.badRequest(ErrorCode.INVALID_FIELD, "query parameter '" + name + "' must be one of "
                    + String.join(", ", new TreeSet<>(values)));
        }
        return upper;
    }

    /**
     * The JSON object body, which may hold only {@code fields}; an empty body is an empty object.
     */
    JsonNode body(String... fields) {
        if (body.length == 0) {
            return json.createObjectNode();
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        }
        catch (IOException e) {
            throw AdminException.badRequest(ErrorCode.MALFORMED_MESSAGE, "the body is not JSON");
        }
        if (node == null || node.isMissingNode()) {
            return json.createObjectNode();
        }
        if (!node.isObject()) {
            throw AdminException.badRequest(ErrorCode.MALFORMED_MESSAGE, "the body must be a JSON object");
        }
        Set<String> known = Set.of(fields);
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw AdminException.badRequest(ErrorCode.INVALID_FIELD, "unknown field '" + name + "' in the body"
                        + (known.isEmpty() ? ": this call takes none" : "; it takes " + String.join(", ", new TreeSet<>(known))));
            }
        }
        return node;
    }
}
