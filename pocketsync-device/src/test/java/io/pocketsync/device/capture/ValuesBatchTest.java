package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValuesBatchTest {
    @TempDir
    Path dir;
    TestDb db;
    Connection connection;
    StatementCache statements;

    @BeforeEach
    void setUp() throws SQLException {
        db = new TestDb(dir, "values.db");
        db.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE, n INTEGER)");
        connection = db.dataSource.getConnection();
        statements = new StatementCache(connection);
    }

    @AfterEach
    void tearDown() throws SQLException {
        statements.close();
        connection.close();
    }

    @Test
    void runsEveryRowInOrderWhateverTheCount() throws SQLException {
        // 100 rows run as chunks of 64 + 32 + 4; each row overwrites the previous value of its key, so order shows
        ValuesBatch batch = new ValuesBatch(statements, "INSERT INTO t (k, v, n)", 3, "ON CONFLICT (k) DO UPDATE SET v = excluded.v, n = excluded.n");
        for (int i = 0; i < 100; i++) {
            batch.add((long) (i % 10), "v" + i, (long) i);
        }
        assertThat(batch.size()).isEqualTo(100);
        batch.flush();
        assertThat(batch.isEmpty()).isTrue();
        assertThat(db.count("SELECT count(*) FROM t")).isEqualTo(10);
        assertThat(db.count("SELECT sum(n) FROM t")).isEqualTo(90 + 91 + 92 + 93 + 94 + 95 + 96 + 97 + 98 + 99);
    }

    @Test
    void aBatchInOrderWritesEachFlushSortedAndKeepsNothing() throws SQLException {
        // k is the rowid: NULL takes the next one, so the rowids show the order the rows were written in
        ValuesBatch batch = new ValuesBatch(statements, "INSERT INTO t (k, v, n)", 3, "")
                .inOrder(java.util.Comparator.comparing(row -> (String) row[1]));
        for (String v : List.of("c", "a", "b")) {
            batch.add(null, v, 0L);
        }
        batch.flush();
        assertThat(batch.isEmpty()).isTrue();
        assertThat(db.query("SELECT v FROM t ORDER BY k")).extracting(row -> row.get("v")).containsExactly("a", "b", "c");
        batch.add(null, "e", 0L);
        batch.add(null, "d", 0L);
        batch.flush();
        assertThat(db.query("SELECT v FROM t ORDER BY k")).extracting(row -> row.get("v")).containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    void aRowRefusedByAConstraintIsReportedAndTheOthersAreWritten() throws SQLException {
        db.exec("INSERT INTO t (k, v, n) VALUES (1000, 'taken', 0)");
        ValuesBatch batch = new ValuesBatch(statements, "INSERT INTO t (k, v, n)", 3, "");
        for (int i = 0; i < 70; i++) {
            batch.add((long) i, i == 40 ? "taken" : "v" + i, (long) i);
        }
        List<Integer> refused = new ArrayList<>();
        batch.flush((index, e) -> refused.add(index));
        assertThat(refused).containsExactly(40);
        assertThat(db.count("SELECT count(*) FROM t")).isEqualTo(70);
        assertThat(db.count("SELECT count(*) FROM t WHERE v = 'taken'")).isEqualTo(1);
    }

    @Test
    void rowsOfOneChunkThatCollideWithEachOtherKeepTheFirst() throws SQLException {
        ValuesBatch batch = new ValuesBatch(statements, "INSERT INTO t (k, v, n)", 3, "");
        batch.add(1L, "same", 1L);
        batch.add(2L, "same", 2L);
        batch.add(3L, "other", 3L);
        batch.add(4L, "four", 4L);
        List<Integer> refused = new ArrayList<>();
        batch.flush((index, e) -> refused.add(index));
        assertThat(refused).containsExactly(1);
        assertThat(db.query("SELECT k FROM t ORDER BY k")).extracting(row -> row.get("k")).containsExactly(1, 3, 4);
    }

    @Test
    void withoutAFailureHandlerAConstraintErrorPropagatesAndTheQueueIsEmptied() {
        db.exec("INSERT INTO t (k, v, n) VALUES (1, 'one', 1)");
        ValuesBatch batch = new ValuesBatch(statements, "INSERT INTO t (k, v, n)", 3, "");
        batch.add(1L, "again", 1L);
        assertThatThrownBy(batch::flush).isInstanceOf(SQLException.class).hasMessageContaining("UNIQUE");
        assertThat(batch.isEmpty()).isTrue();
    }

    @Test
    void otherErrorsAreNotRetriedRowByRow() {
        ValuesBatch batch = new ValuesBatch(statements, "INSERT INTO no_such_table (k, v, n)", 3, "");
        batch.add(1L, "x", 1L);
        batch.add(2L, "y", 2L);
        List<Integer> refused = new ArrayList<>();
        assertThatThrownBy(() -> batch.flush((index, e) -> refused.add(index))).isInstanceOf(SQLException.class)
                .hasMessageContaining("no_such_table");
        assertThat(refused).isEmpty();
    }

    @Test
    void aDeleteByKeyListWorksAsWell() throws SQLException {
        db.exec("INSERT INTO t (k, v, n) VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)");
        ValuesBatch batch = new ValuesBatch(statements, "DELETE FROM t WHERE k IN (", 1, ")");
        batch.add(1L);
        batch.add(3L);
        batch.flush();
        assertThat(db.query("SELECT v FROM t")).extracting(row -> row.get("v")).containsExactly("b");
    }

    @Test
    void aRowOfTheWrongWidthIsRefused() {
        ValuesBatch batch = new ValuesBatch(statements, "INSERT INTO t (k, v, n)", 3, "");
        assertThatThrownBy(() -> batch.add(1L, "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
