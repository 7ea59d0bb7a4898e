package io.pocketsync.device;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Receives a watched query's fresh result after a relevant commit. Runs on the device's listener executor. */
@FunctionalInterface
public interface QueryListener {
    /**
     * @param rows the query's rows (column label to SQLite value, see {@link io.pocketsync.api.model.Rows})
     * @param remote true when the commit that triggered the query came from the server
     */
    void result(List<Map<String, @Nullable Object>> rows, boolean remote);
}
