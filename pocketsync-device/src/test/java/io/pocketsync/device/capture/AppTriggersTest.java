package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class AppTriggersTest {
    private static final Set<String> TRACKED = Set.of("note", "my table", "tag");

    @Test
    void aTriggerIsSetAsideOnlyWhenItWritesIntoATrackedTable() {
        assertThat(AppTriggers.writesInto("CREATE TRIGGER t AFTER UPDATE OF body ON note BEGIN UPDATE note SET rev = rev + 1"
                + " WHERE id = NEW.id; END", TRACKED)).isTrue();
        assertThat(AppTriggers.writesInto("CREATE TRIGGER t AFTER INSERT ON note BEGIN INSERT OR REPLACE INTO \"My Table\""
                + " (x) VALUES (1); END", TRACKED)).isTrue();
        assertThat(AppTriggers.writesInto("CREATE TRIGGER t AFTER DELETE ON note BEGIN DELETE FROM [tag] WHERE n = OLD.id; END",
                TRACKED)).isTrue();
        assertThat(AppTriggers.writesInto("CREATE TRIGGER t AFTER INSERT ON note BEGIN UPDATE OR IGNORE Tag SET n = 1; END",
                TRACKED)).isTrue();
        // an audit log nobody syncs, and a check: both stay in place for remote rows
        assertThat(AppTriggers.writesInto("CREATE TRIGGER t AFTER UPDATE ON note BEGIN INSERT INTO audit (op) VALUES ('update');"
                + " END", TRACKED)).isFalse();
        assertThat(AppTriggers.writesInto("CREATE TRIGGER t BEFORE INSERT ON note WHEN NEW.body = 'x' BEGIN"
                + " SELECT RAISE(ABORT, 'cannot insert into note'); END", TRACKED)).isFalse();
    }
}
