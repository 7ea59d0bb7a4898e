package io.pocketsync.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AdminOptionsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void aShortOrSpacedTokenIsRefusedWithoutEchoingIt() {
        for (String token : new String[] {"short-secret", "sixteen chars ok!", ""}) {
            assertThatThrownBy(() -> new AdminOptions(LOOPBACK, 0, token)).isInstanceOfSatisfying(PocketSyncException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
                assertThat(e.getMessage()).contains("16");
                if (!token.isEmpty()) {
                    assertThat(e.getMessage()).doesNotContain(token);
                }
            });
        }
    }

    @Test
    void aPortOutOfRangeIsRefusedAndToStringHidesTheToken() {
        assertThatThrownBy(() -> new AdminOptions(LOOPBACK, 70000, "a-token-of-enough-length"))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
        assertThat(new AdminOptions(LOOPBACK, 8790, "a-token-of-enough-length").toString())
                .doesNotContain("a-token-of-enough-length").contains("8790");
    }
}
