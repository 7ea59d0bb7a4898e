package io.pocketsync.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowsTest {
    @Test
    void copyIsUnmodifiableOrderedAndNormalised() {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("b", 1);
        source.put("a", 2.5f);
        source.put("c", null);
        Map<String, Object> copy = Rows.copyOf(source);
        source.put("d", "later");

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("b", 1L);
        expected.put("a", 2.5d);
        expected.put("c", null);
        assertThat(copy).isEqualTo(expected).hasSameHashCodeAs(expected);
        assertThat(copy.keySet()).containsExactly("b", "a", "c");
        assertThatThrownBy(() -> copy.put("x", 1L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> copy.entrySet().iterator().next().setValue(2L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(copy::clear).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void copyOfACopyIsTheSameImage() {
        Map<String, Object> copy = Rows.copyOf(Map.of("a", 1L));

        assertThat(Rows.copyOf(copy)).isSameAs(copy);
        Change change = new Change("c1", "t", "g", Op.INSERT, copy, List.of(), Hlc.of(1, 0), "d");
        assertThat(change.row()).isSameAs(copy);
        assertThat(RowState.of(change).withSequences(1, 1).row()).isSameAs(copy);
    }

    @Test
    void copyOfACopyWithABlobCopiesTheArrayAgain() {
        byte[] blob = {1, 2};
        Map<String, Object> copy = Rows.copyOf(Map.of("b", blob));
        Map<String, Object> again = Rows.copyOf(copy);

        assertThat(again).isNotSameAs(copy);
        assertThat((byte[]) again.get("b")).containsExactly(1, 2).isNotSameAs(copy.get("b"));
        assertThat((byte[]) copy.get("b")).isNotSameAs(blob);
    }

    @Test
    void textCountsItsUtf8Bytes() {
        assertThat(Rows.utf8Length("a".repeat(88_000))).isEqualTo(88_000);
        assertThat(Rows.utf8Length("é")).isEqualTo(2);
        assertThat(Rows.utf8Length("€")).isEqualTo(3);
        assertThat(Rows.utf8Length("😀")).isEqualTo(4);
        assertThat(Rows.estimateBytes(java.util.Map.of("body", "a".repeat(88_000)))).isLessThan(256 * 1024);
    }
}
