package io.pocketsync.api.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Scope;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link ScopeNotes#inMemory()}. Thread-safe. */
final class InMemoryScopeNotes implements ScopeNotes {
    private final Map<Scope, Map<String, String>> notes = new ConcurrentHashMap<>();

    @Override
    public Map<String, String> read(Scope scope) {
        requireNonNull(scope, "scope is null");
        Map<String, String> ofScope = notes.get(scope);
        return ofScope == null ? Map.of() : Map.copyOf(ofScope);
    }

    @Override
    public Map<String, String> read(Scope scope, Collection<String> names) {
        requireNonNull(scope, "scope is null");
        Map<String, String> ofScope = notes.getOrDefault(scope, Map.of());
        Map<String, String> found = new HashMap<>();
        for (String name : names) {
            String value = ofScope.get(name);
            if (value != null) {
                found.put(name, value);
            }
        }
        return found;
    }

    @Override
    public void write(Scope scope, Map<String, String> values) {
        requireNonNull(scope, "scope is null");
        if (!values.isEmpty()) {
            notes.computeIfAbsent(scope, s -> new ConcurrentHashMap<>()).putAll(values);
        }
    }

    @Override
    public void remove(Scope scope, Collection<String> names) {
        requireNonNull(scope, "scope is null");
        Map<String, String> ofScope = notes.get(scope);
        if (ofScope != null) {
            names.forEach(ofScope::remove);
        }
    }
}
