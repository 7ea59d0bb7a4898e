package io.pocketsync.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeRulesTest {
    private static Change change(String gid, Op op, Map<String, Object> row, List<String> columns) {
        return new Change("dev-1-c1", "todos", gid, op, row, columns, Hlc.of(1_000, 0), "dev-1");
    }

    private static Map<String, Object> row(String column, Object value) {
        Map<String, Object> row = new HashMap<>();
        row.put(column, value);
        return row;
    }

    @Test
    void acceptsWhatEveryDeviceCanWrite() {
        Map<String, Object> row = new HashMap<>();
        row.put("title", "caf\u00e9 \uD83D\uDE00");
        row.put("qty", 3L);
        row.put("price", Double.POSITIVE_INFINITY);
        row.put("photo", new byte[] {1, 2});
        row.put("note", null);
        assertThat(ChangeRules.check(change("0190a1b2c3d4-ab12.cd:34", Op.INSERT, row, List.of()))).isNull();
        assertThat(ChangeRules.check(change("g1", Op.UPDATE, row, List.of("title", "qty")))).isNull();
        // a table whose only column is its rowid key sends an empty image
        assertThat(ChangeRules.check(change("g1", Op.INSERT, Map.of(), List.of()))).isNull();
        assertThat(ChangeRules.check(change("g1", Op.DELETE, Map.of(), List.of()))).isNull();
    }

    @Test
    void refusesRowIdsOutsideTheChangeIdAlphabet() {
        for (String gid : List.of("row-\uD83D\uDE00", "a b", "a/b", "caf\u00e9", "x".repeat(129))) {
            ChangeRules.Violation violation = ChangeRules.check(change(gid, Op.DELETE, Map.of(), List.of()));
            assertThat(violation).as(gid).isNotNull();
            assertThat(violation.code()).isEqualTo(ErrorCode.IDENTIFIER_INVALID);
        }
        assertThat(ChangeRules.check(change("x".repeat(21), Op.DELETE, Map.of(), List.of()), 20)).isNotNull();
    }

    @Test
    void refusesValuesSqliteCannotHoldUnchanged() {
        assertThat(ChangeRules.check(change("g1", Op.INSERT, row("qty", Double.NaN), List.of())).code())
                .isEqualTo(ErrorCode.INVALID_CHANGE);
        assertThat(ChangeRules.check(change("g1", Op.INSERT, row("title", "broken \uD83D"), List.of())).code())
                .isEqualTo(ErrorCode.INVALID_CHANGE);
        assertThat(ChangeRules.check(change("g1", Op.INSERT, row("title", "\uDE00 alone"), List.of())).code())
                .isEqualTo(ErrorCode.INVALID_CHANGE);
        assertThat(ChangeRules.isValue(List.of())).isFalse();
    }

    @Test
    void refusesBadNamesAndShapes() {
        assertThat(ChangeRules.check(change("g1", Op.INSERT, row("ps_global_id", "x"), List.of())).code())
                .isEqualTo(ErrorCode.INVALID_CHANGE);
        assertThat(ChangeRules.check(change("g1", Op.INSERT, row("bad\u0001name", "x"), List.of())).code())
                .isEqualTo(ErrorCode.IDENTIFIER_INVALID);
        assertThat(ChangeRules.check(change("g1", Op.UPDATE, row("title", "x"), List.of("qty"))).code())
                .isEqualTo(ErrorCode.INVALID_CHANGE);
        Change badId = new Change("id with space", "todos", "g1", Op.DELETE, Map.of(), List.of(), Hlc.of(1, 0), "dev-1");
        assertThat(ChangeRules.check(badId).code()).isEqualTo(ErrorCode.IDENTIFIER_INVALID);
    }
}
