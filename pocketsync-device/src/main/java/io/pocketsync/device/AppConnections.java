package io.pocketsync.device;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.device.capture.ShortBusyWait;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.sqlite.SQLiteCommitListener;
import org.sqlite.SQLiteConnection;

/** Opens the connections {@link PocketSyncDevice#connection()} hands to the app. Stateless. */
final class AppConnections {
    private AppConnections() {}

    /**
     * A new connection that waits up to {@code busyTimeout} for the engine's locks and, when it is sqlite-jdbc's,
     * calls {@code onCommit} on the committing thread for each commit.
     */
    static Connection open(DataSource dataSource, Duration busyTimeout, Runnable onCommit) {
        try {
            Connection connection = dataSource.getConnection();
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA busy_timeout = " + busyTimeout.toMillis());
                statement.execute("PRAGMA temp_store = MEMORY");
            }
            if (connection.isWrapperFor(SQLiteConnection.class)) {
                // waits for the engine's short transactions in short steps (busy_timeout sleeps a millisecond at least)
                ShortBusyWait.install(connection, busyTimeout);
                connection.unwrap(SQLiteConnection.class).addCommitListener(new SQLiteCommitListener() {
                    @Override
                    public void onCommit() {
                        // Called on the committing thread before the commit is visible to other
                        // connections; the engine runs the poll after it, on its own thread.
                        onCommit.run();
                    }

                    @Override
                    public void onRollback() {}
                });
            }
            return connection;
        }
        catch (SQLException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "cannot open a connection to the device database: " + e.getMessage(), e);
        }
    }
}
