package io.pocketsync.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdminPathsTest {
    @Test
    void pathSegmentsAreDecodedAndAPlusStaysAPlus() {
        assertThat(AdminPaths.segments("/api/scopes/a%3Ab+c/devices")).isEqualTo(List.of("api", "scopes", "a:b+c", "devices"));
        assertThat(AdminPaths.segments("/api/scopes/")).isEqualTo(List.of("api", "scopes", ""));
    }

    @Test
    void queryParametersAreDecodedAndARepeatedOneIsRefused() {
        assertThat(AdminPaths.query("a=1&b=x%20y&c&&d=")).isEqualTo(Map.of("a", "1", "b", "x y", "c", "", "d", ""));
        assertThat(AdminPaths.query(null)).isEmpty();
        assertThatThrownBy(() -> AdminPaths.query("a=1&a=2")).isInstanceOfSatisfying(AdminException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FIELD);
        });
    }

    @Test
    void aMalformedEscapeIsABadRequest() {
        assertThatThrownBy(() -> AdminPaths.segments("/api/scopes/te%zzam")).isInstanceOfSatisfying(AdminException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FIELD));
        assertThatThrownBy(() -> AdminPaths.query("a=%4")).isInstanceOf(AdminException.class);
    }
}
