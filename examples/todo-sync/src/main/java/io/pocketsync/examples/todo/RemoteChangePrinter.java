package io.pocketsync.examples.todo;

import static java.util.Objects.requireNonNull;

import io.pocketsync.device.QueryListener;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches the {@code todos} query of one device and prints what changed when the change came from
 * another device: {@code [laptop] remote: todo 'buy milk' added}.
 *
 * <p>A watch tells that a table changed and whether the commit was remote, not which rows changed,
 * so this listener keeps the previous result and compares. Local results only refresh that
 * snapshot. Called one result at a time on the device's listener thread; {@link #events()} is safe
 * to read from any thread.
 */
final class RemoteChangePrinter implements QueryListener {
    /** The query to watch with this listener. */
    static final String QUERY = "SELECT id, title, done FROM todos";

    private final String deviceName;
    private final PrintStream out;
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private volatile Map<String, Todo> previous = Map.of();

    RemoteChangePrinter(String deviceName, PrintStream out) {
        this.deviceName = requireNonNull(deviceName, "deviceName is null");
        this.out = requireNonNull(out, "out is null");
    }

    /** Sets the todos as they are before watching (again), so they are not reported as new. */
    void startFrom(List<Todo> todos) {
        previous = byId(todos);
    }

    @Override
    public void result(List<Map<String, Object>> rows, boolean remote) {
        Map<String, Todo> current = byId(rows.stream().map(RemoteChangePrinter::todo).toList());
        if (remote) {
            current.forEach((id, todo) -> {
                Todo before = previous.get(id);
                if (before == null) {
                    report(todo, "added");
                }
                else if (todo.done() && !before.done()) {
                    report(todo, "completed");
                }
            });
            previous.forEach((id, todo) -> {
                if (!current.containsKey(id)) {
                    report(todo, "deleted");
                }
            });
        }
        previous = current;
    }

    /** What was reported so far, e.g. {@code todo 'buy milk' added}. */
    List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    private void report(Todo todo, String what) {
        String event = "todo '" + todo.title() + "' " + what;
        events.add(event);
        out.println("[" + deviceName + "] remote: " + event);
    }

    /** Query rows hold SQLite values: TEXT as String, INTEGER as Long. */
    private static Todo todo(Map<String, Object> row) {
        return new Todo((String) row.get("id"), (String) row.get("title"), ((Number) row.get("done")).longValue() != 0);
    }

    private static Map<String, Todo> byId(List<Todo> todos) {
        Map<String, Todo> map = new LinkedHashMap<>();
        todos.forEach(todo -> map.put(todo.id(), todo));
        return map;
    }
}
