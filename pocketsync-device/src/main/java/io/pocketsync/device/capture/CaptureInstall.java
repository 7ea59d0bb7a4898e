package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Installing the capture on a database file ({@link SqliteTriggerCapture#install}): the system tables, each table's
 * column, index and triggers ({@link TableInstaller}), what was journaled before sealed with the layout that journaled it,
 * the file's identity checked, and the rows a table already held handed to the push (a bulk push or the journal, see
 * {@link PushSealing#journalExistingRows}). Not thread-safe (the capture is synchronized).
 */
final class CaptureInstall {
    private final CaptureResources resources;
    private final CaptureSchemas schemas;
    private final PushSealing pushSealing;

    CaptureInstall(CaptureResources resources, CaptureSchemas schemas, PushSealing pushSealing) {
        this.resources = requireNonNull(resources, "resources is null");
        this.schemas = requireNonNull(schemas, "schemas is null");
        this.pushSealing = requireNonNull(pushSealing, "pushSealing is null");
    }

    /**
     * Installs on {@code tables}; idempotent.
     *
     * @param seal seals the whole journal (once the schema was checked)
     */
    void install(List<String> tables, Runnable seal) {
        requireNonNull(tables, "tables is null");
        Connection c = resources.connection();
        resources.inTransaction(() -> {
            SystemTables.create(c);
            resources.deviceId(CaptureSchemas.stateString(c, "device_id"), false);
            List<TableSchema> read = new ArrayList<>();
            for (String table : tables) {
                read.add(TableSchema.read(c, table));
            }
            for (TableSchema schema : read) {
                TableInstaller.install(c, schema);
            }
            return null;
        });
        schemas.track(tables);
        // an install of this capture left existing rows to the push, which is sealing them: nothing to seal here
        boolean bulkUnderway = pushSealing.bulkUnderway();
        try {
            if (!bulkUnderway) {
                // what was journaled before (writes while the device was not running) is sealed in rounds with the layout
                // of the triggers that journaled it, as the schema check would in one transaction
                Map<String, TableSchema> installed = new LinkedHashMap<>();
                for (String table : tables) {
                    installed.put(table, TableSchema.read(c, table));
                }
                InstallSealing.sealAll(c, resources.statements(), resources.options().progressInterval(),
                        () -> resources.sealer().sealRound(installed, schemas.layouts(), InstallSealing.ROUND));
            }
        }
        catch (SQLException e) {
            throw Sql.failure("sealing the journal failed", e);
        }
        schemas.refreshSchema(true);
        if (!bulkUnderway) {
            seal.run();
        }
        // Sealed above under the id the file had, so a write journaled before a copy becomes the same change (same
        // row id and change id) in both copies; only then does a copy take its own id (see FileIdentity).
        String checked = resources.inTransaction(() -> FileIdentity.check(c, resources.deviceId()));
        if (!checked.equals(resources.deviceIdOrNull())) {
            resources.deviceId(checked, true);
        }
        pushSealing.journalExistingRows(tables);
    }
}
