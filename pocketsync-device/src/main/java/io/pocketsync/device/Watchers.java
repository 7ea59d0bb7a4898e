package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Rows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Table and query watchers. {@link #fire} is called on the engine thread once per detected commit
 * (or per batch of commits seen by one poll); queries run there on a read connection, and listeners
 * are invoked on the listener executor.
 */
final class Watchers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Watchers.class);

    private record TableWatch(String table, TableListener listener) {}

    private record QueryWatch(String sql, List<Object> args, String lowerSql, QueryListener listener) {}

    private final DataSource dataSource;
    private final Executor listenerExecutor;
    private final List<TableWatch> tableWatches = new CopyOnWriteArrayList<>();
    private final List<QueryWatch> queryWatches = new CopyOnWriteArrayList<>();
    private @Nullable Connection reader;

    Watchers(DataSource dataSource, Executor listenerExecutor) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.listenerExecutor = requireNonNull(listenerExecutor, "listenerExecutor is null");
    }

    Subscription watch(String table, TableListener listener) {
        TableWatch watch = new TableWatch(requireNonNull(table, "table is null"), requireNonNull(listener, "listener is null"));
        tableWatches.add(watch);
        return () -> tableWatches.remove(watch);
    }

    Subscription watchQuery(String sql, List<Object> args, QueryListener listener) {
        QueryWatch watch = new QueryWatch(requireNonNull(sql, "sql is null"), List.copyOf(args), sql.toLowerCase(Locale.ROOT),
                requireNonNull(listener, "listener is null"));
        queryWatches.add(watch);
        return () -> queryWatches.remove(watch);
    }

    /** Engine thread: tables changed by one commit (or one poll's worth of commits). */
    void fire(Collection<String> tables, boolean remote) {
        if (tables.isEmpty()) {
            return;
        }
        for (TableWatch watch : tableWatches) {
            if (tables.contains(watch.table())) {
                listenerExecutor.execute(() -> safely(() -> watch.listener().changed(watch.table(), remote)));
            }
        }
        for (QueryWatch watch : queryWatches) {
            // A query is re-run when it mentions a changed table; cheap and errs on the side of firing.
            if (tables.stream().anyMatch(t -> watch.lowerSql().contains(t.toLowerCase(Locale.ROOT)))) {
                List<Map<String, @Nullable Object>> rows;
                try {
                    rows = query(watch.sql(), watch.args());
                }
                catch (SQLException e) {
                    LOG.warn("watched query failed: {}", e.getMessage());
                    continue;
                }
                listenerExecutor.execute(() -> safely(() -> watch.listener().result(rows, remote)));
            }
        }
    }

    private List<Map<String, @Nullable Object>> query(String sql, List<Object> args) throws SQLException {
        if (reader == null) {
            reader = dataSource.getConnection();
        }
        try (PreparedStatement statement = reader.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                statement.setObject(i + 1, args.get(i));
            }
            List<Map<String, @Nullable Object>> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    Map<String, @Nullable Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        row.put(meta.getColumnLabel(i), Rows.normalise(rs.getObject(i)));
                    }
                    rows.add(java.util.Collections.unmodifiableMap(row));
                }
            }
            return List.copyOf(rows);
        }
    }

    private static void safely(Runnable listener) {
        try {
            listener.run();
        }
        catch (RuntimeException e) {
            LOG.warn("watch listener failed", e);
        }
    }

    @Override
    public void close() {
        tableWatches.clear();
        queryWatches.clear();
        if (reader != null) {
            try {
                reader.close();
            }
            catch (SQLException e) {
                LOG.debug("closing the watch connection failed", e);
            }
            reader = null;
        }
    }
}
