package io.pocketsync.examples.resolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.ConflictResolverProvider;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class MaxCounterResolverTest {
    private final ConflictResolver resolver = new MaxCounterResolver("value");

    @Test
    void aLargerCounterWinsEvenWhenWrittenEarlier() {
        RowState stored = stored(write("dev-a", 20, 10));
        assertThat(resolver.resolve(stored, write("dev-b", 10, 42))).isInstanceOf(Resolution.Apply.class);
    }

    @Test
    void aSmallerCounterLosesEvenWhenWrittenLater() {
        RowState stored = stored(write("dev-a", 10, 42));
        assertThat(resolver.resolve(stored, write("dev-b", 20, 10))).isEqualTo(Resolution.supersede());
    }

    @Test
    void equalCountersAreOrderedByVersion() {
        RowState stored = stored(write("dev-b", 10, 7));
        assertThat(resolver.resolve(stored, write("dev-a", 10, 7))).as("same HLC, smaller device id").isEqualTo(Resolution.supersede());
        assertThat(resolver.resolve(stored, write("dev-c", 10, 7))).as("same HLC, larger device id").isInstanceOf(Resolution.Apply.class);
    }

    @Test
    void deletesFollowLastWriteWins() {
        RowState live = stored(write("dev-a", 10, 5));
        assertThat(resolver.resolve(live, delete("dev-b", 5))).isEqualTo(Resolution.supersede());
        Resolution deleted = resolver.resolve(live, delete("dev-b", 20));
        assertThat(deleted).isInstanceOf(Resolution.Apply.class);
        RowState tombstone = ((Resolution.Apply) deleted).state();
        assertThat(tombstone.deleted()).isTrue();
        assertThat(resolver.resolve(tombstone, write("dev-c", 15, 99))).isEqualTo(Resolution.supersede());
        assertThat(resolver.resolve(tombstone, write("dev-c", 30, 1))).isInstanceOf(Resolution.Apply.class);
    }

    @Test
    void aRowWithoutACounterLosesToOneWithACounter() {
        RowState stored = stored(write("dev-a", 10, 0));
        Change noCounter = new Change("dev-b-1", "counters", "row-1", Op.UPDATE, Map.of("name", "visits"), List.of("name"),
                Hlc.of(1_700_000_000_020L, 0), "dev-b");
        assertThat(resolver.resolve(stored, noCounter)).isEqualTo(Resolution.supersede());
    }

    @Test
    void theServerFindsTheProviderByNameThroughServiceLoader() {
        ConflictResolverProvider provider = ServiceLoader.load(ConflictResolverProvider.class,
                        ConflictResolverProvider.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("max-counter"))
                .findFirst().orElseThrow();
        ConflictResolver created = provider.create(PluginConfig.of("resolver.max-counter", Map.of("column", "hits")), null);
        assertThat(created).isInstanceOf(MaxCounterResolver.class).hasToString("max-counter(hits)");
    }

    @Test
    void aMistypedKeyFailsNamingTheRightOne() {
        assertThatThrownBy(() -> new MaxCounterResolverProvider().create(
                PluginConfig.of("resolver.max-counter", Map.of("colum", "hits")), null))
                .isInstanceOf(PocketSyncException.class)
                .hasMessageContaining("did you mean 'resolver.max-counter.column'")
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    }

    @Test
    void anEmptyColumnNameFails() {
        assertThatThrownBy(() -> new MaxCounterResolverProvider().create(
                PluginConfig.of("resolver.max-counter", Map.of("column", "")), null))
                .isInstanceOf(PocketSyncException.class)
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    }

    private static Change write(String device, long millis, long value) {
        return new Change(device + "-" + millis, "counters", "row-1", Op.UPDATE, Map.of("name", "visits", "value", value),
                List.of("value"), Hlc.of(1_700_000_000_000L + millis, 0), device);
    }

    private static Change delete(String device, long millis) {
        return new Change(device + "-" + millis, "counters", "row-1", Op.DELETE, Map.of(), List.of(),
                Hlc.of(1_700_000_000_000L + millis, 0), device);
    }

    private static RowState stored(Change change) {
        return RowState.of(change).withSequences(1, 1);
    }
}
