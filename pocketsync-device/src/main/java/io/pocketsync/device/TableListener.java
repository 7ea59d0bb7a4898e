package io.pocketsync.device;

/** Called after a commit changed a watched table. Runs on the device's listener executor. */
@FunctionalInterface
public interface TableListener {
    /**
     * @param table the table that changed
     * @param remote true when the change came from the server, false for a local write (any connection or process)
     */
    void changed(String table, boolean remote);
}
