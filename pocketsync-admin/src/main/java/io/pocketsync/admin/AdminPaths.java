package io.pocketsync.admin;

import io.pocketsync.api.ErrorCode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Splits a raw request path into decoded segments and a raw query into decoded parameters. */
final class AdminPaths {
    private AdminPaths() {}

    /** {@code /api/scopes/a%3Ab} → {@code [api, scopes, a:b]}. */
    static List<String> segments(String rawPath) {
        String trimmed = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        List<String> segments = new ArrayList<>();
        for (String segment : trimmed.split("/", -1)) {
            // in a path '+' is a plus sign, not a space
            segments.add(decode(segment.replace("+", "%2B"), "path"));
        }
        return segments;
    }

    /** {@code a=1&b=x%20y} → {@code {a=1, b=x y}}; a parameter given twice is refused. */
    static Map<String, String> query(@Nullable String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals), "query");
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1), "query");
            if (parameters.put(name, value) != null) {
                throw AdminException.badRequest(ErrorCode.INVALID_FIELD, "query parameter '" + name + "' is given more than once");
            }
        }
        return parameters;
    }

    private static String decode(String text, String part) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException e) {
            throw AdminException.badRequest(ErrorCode.INVALID_FIELD, "the " + part + " has a malformed %-escape");
        }
    }
}
