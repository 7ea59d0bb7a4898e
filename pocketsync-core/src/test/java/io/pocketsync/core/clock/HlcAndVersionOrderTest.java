package io.pocketsync.core.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Version;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;

/** The packed HLC order is the (physical, logical) order, and {@link Version} is a total order. */
class HlcAndVersionOrderTest {
    @Property
    void packingKeepsBothPartsAndTheirOrder(
            @ForAll @LongRange(min = 0, max = (1L << 47) - 1) long millisA, @ForAll @IntRange(min = 0, max = 0xFFFF) int logicalA,
            @ForAll @LongRange(min = 0, max = (1L << 47) - 1) long millisB, @ForAll @IntRange(min = 0, max = 0xFFFF) int logicalB) {
        Hlc a = Hlc.of(millisA, logicalA);
        Hlc b = Hlc.of(millisB, logicalB);

        assertThat(a.physicalMillis()).isEqualTo(millisA);
        assertThat(a.logical()).isEqualTo(logicalA);
        int expected = millisA != millisB ? Long.compare(millisA, millisB) : Integer.compare(logicalA, logicalB);
        assertThat(Integer.signum(a.compareTo(b))).isEqualTo(Integer.signum(expected));
        assertThat(a.max(b)).isEqualTo(a.compareTo(b) >= 0 ? a : b);
    }

    @Property
    void versionsAreTotallyOrderedByHlcThenDevice(
            @ForAll @LongRange(min = 0, max = 5) long hlcA, @ForAll @AlphaChars @StringLength(min = 1, max = 3) String deviceA,
            @ForAll @LongRange(min = 0, max = 5) long hlcB, @ForAll @AlphaChars @StringLength(min = 1, max = 3) String deviceB) {
        Version a = new Version(new Hlc(hlcA), deviceA);
        Version b = new Version(new Hlc(hlcB), deviceB);

        assertThat(Integer.signum(a.compareTo(b))).isEqualTo(-Integer.signum(b.compareTo(a)));
        assertThat(a.compareTo(b) == 0).isEqualTo(a.equals(b));
        if (hlcA != hlcB) {
            assertThat(a.isAfter(b)).isEqualTo(hlcA > hlcB);
        }
        else {
            assertThat(a.isAfter(b)).isEqualTo(deviceA.compareTo(deviceB) > 0);
        }
    }

    @Property(tries = 50)
    void invalidValuesAreRefused(@ForAll @LongRange(min = Long.MIN_VALUE, max = -1) long negative) {
        assertThatThrownBy(() -> new Hlc(negative)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hlc.of(0, 0x10000)).isInstanceOf(IllegalArgumentException.class);
    }
}
