package io.pocketsync.admin;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Matches a method and a path against the admin API's routes: each a method and a pattern of segments, where
 * {@code {name}} takes one path segment. A path no route has is 404 {@code NOT_FOUND}; a path that exists for other
 * methods is 405 {@code METHOD_NOT_ALLOWED}, naming them. Built once, then read-only and thread-safe.
 */
final class Router {
    /** Handles one matched request; returns the JSON body of a 200 answer. */
    @FunctionalInterface
    interface Handler {
        Object handle(AdminRequest request);
    }

    /** A matched route: its handler and the path's parameters. */
    record Match(Handler handler, Map<String, String> parameters) {}

    private record Route(String method, String[] segments, Handler handler) {}

    private final List<Route> routes = new ArrayList<>();

    Router add(String method, String pattern, Handler handler) {
        routes.add(new Route(requireNonNull(method, "method is null"), split(pattern), requireNonNull(handler, "handler is null")));
        return this;
    }

    /**
     * @param segments the request path's decoded segments
     * @throws AdminException 404 or 405 when no route takes the request
     */
    Match find(String method, List<String> segments) {
        Set<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Map<String, String> parameters = match(route.segments(), segments);
            if (parameters == null) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Match(route.handler(), parameters);
            }
            allowed.add(route.method());
        }
        if (allowed.isEmpty()) {
            throw AdminException.notFound("no such admin API path; see docs/admin-api.md");
        }
        throw new AdminException(405, ErrorCode.METHOD_NOT_ALLOWED, "this path takes " + String.join(", ", allowed) + ", not " + method);
    }

    /** The allowed methods of a path (for the Allow header of a 405). */
    Set<String> methods(List<String> segments) {
        Set<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            if (match(route.segments(), segments) != null) {
                allowed.add(route.method());
            }
        }
        return allowed;
    }

    private static Map<String, String> match(String[] pattern, List<String> segments) {
        if (pattern.length != segments.size()) {
            return null;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String part = pattern[i];
            if (part.startsWith("{") && part.endsWith("}")) {
                parameters.put(part.substring(1, part.length() - 1), segments.get(i));
            }
            else if (!part.equals(segments.get(i))) {
                return null;
            }
        }
        return parameters;
    }

    private static String[] split(String pattern) {
        return pattern.replaceAll("^/+", "").split("/");
    }
}
