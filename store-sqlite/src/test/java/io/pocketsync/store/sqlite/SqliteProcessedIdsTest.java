package io.pocketsync.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqliteProcessedIdsTest {
    @Test
    void batchRecordIsTheJsonArrayJacksonWrites() throws Exception {
        List<String> ids = List.of("dev-1:42", "quote\"and\\slash", "tab\tnew\nline", "\u00e9t\u00e9", "");

        String json = SqliteProcessedIds.jsonArray(ids);

        assertThat(json).isEqualTo(new ObjectMapper().writeValueAsString(ids));
        assertThat(SqliteProcessedIds.jsonArray(List.of("a"))).isEqualTo("[\"a\"]");
    }
}
