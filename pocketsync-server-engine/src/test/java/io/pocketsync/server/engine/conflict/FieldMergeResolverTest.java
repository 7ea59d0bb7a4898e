package io.pocketsync.server.engine.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldMergeResolverTest {
    private final FieldMergeResolver resolver = new FieldMergeResolver();

    @Test
    void concurrentEditsOfDifferentColumnsBothSurviveInEitherOrder() {
        RowState base = apply(null, change("c0", Op.INSERT, "a", 10, Map.of("title", "t", "done", 0L), List.of()), 1);
        Change titleEdit = change("c1", Op.UPDATE, "a", 20, Map.of("title", "T", "done", 0L), List.of("title"));
        Change doneEdit = change("c2", Op.UPDATE, "b", 15, Map.of("title", "t", "done", 1L), List.of("done"));

        RowState oneWay = apply(apply(base, titleEdit, 2), doneEdit, 3);
        RowState otherWay = apply(apply(base, doneEdit, 2), titleEdit, 3);

        assertThat(oneWay.row()).containsEntry("title", "T").containsEntry("done", 1L);
        assertThat(otherWay.row()).isEqualTo(oneWay.row());
        assertThat(oneWay.version()).isEqualTo(titleEdit.version());
        assertThat(otherWay.version()).isEqualTo(titleEdit.version());
        assertThat(oneWay.columnVersions()).containsEntry("title", titleEdit.version()).containsEntry("done", doneEdit.version());
    }

    @Test
    void olderEditOfTheSameColumnIsSuperseded() {
        RowState base = apply(null, change("c0", Op.INSERT, "a", 10, Map.of("title", "t"), List.of()), 1);
        RowState edited = apply(base, change("c1", Op.UPDATE, "a", 20, Map.of("title", "new"), List.of("title")), 2);
        Resolution stale = resolver.resolve(edited, change("c2", Op.UPDATE, "b", 15, Map.of("title", "old"), List.of("title")));
        assertThat(stale).isInstanceOf(Resolution.Supersede.class);
    }

    @Test
    void deleteLosesToALaterColumnEditAndWinsWhenLaterThanEveryColumn() {
        RowState base = apply(null, change("c0", Op.INSERT, "a", 10, Map.of("title", "t", "done", 0L), List.of()), 1);
        RowState edited = apply(base, change("c1", Op.UPDATE, "b", 30, Map.of("title", "t", "done", 1L), List.of("done")), 2);
        assertThat(resolver.resolve(edited, change("c2", Op.DELETE, "a", 20, Map.of(), List.of())))
                .isInstanceOf(Resolution.Supersede.class);
        RowState deleted = apply(edited, change("c3", Op.DELETE, "a", 40, Map.of(), List.of()), 3);
        assertThat(deleted.deleted()).isTrue();
    }

    @Test
    void stateWithoutColumnVersionsCountsEveryColumnAtTheRowVersion() {
        Change insert = change("c0", Op.INSERT, "a", 10, Map.of("title", "t", "done", 0L), List.of());
        RowState lww = RowState.of(insert).withSequences(1, 1);
        RowState merged = apply(lww, change("c1", Op.UPDATE, "b", 20, Map.of("title", "x", "done", 0L), List.of("title")), 2);
        assertThat(merged.row()).containsEntry("title", "x").containsEntry("done", 0L);
        assertThat(resolver.resolve(lww, change("c2", Op.UPDATE, "b", 5, Map.of("title", "y"), List.of("title"))))
                .isInstanceOf(Resolution.Supersede.class);
    }

    private RowState apply(RowState current, Change change, long sequence) {
        Resolution resolution = resolver.resolve(current, change);
        assertThat(resolution).isInstanceOf(Resolution.Apply.class);
        long first = current == null ? sequence : current.firstSequence();
        return ((Resolution.Apply) resolution).state().withSequences(first, sequence);
    }

    private static Change change(String id, Op op, String device, long millis, Map<String, Object> row, List<String> columns) {
        return new Change(id, "items", "g1", op, row, columns, Hlc.of(1_700_000_000_000L + millis, 0), device);
    }
}
