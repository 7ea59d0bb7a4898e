package io.pocketsync.api.store;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.ChangeStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a batch does to the devices' marks ({@link ServerStore#deviceMark}): per device, the highest sequence the batch
 * assigned to one of its APPLIED changes. Stores call it with the outcome they return and keep the maximum.
 *
 * <p>Stateless and thread-safe.
 */
public final class DeviceMarks {
    private DeviceMarks() {}

    /**
     * The marks a batch raises.
     *
     * @param changes the batch, in push order
     * @param outcome its outcome, one per change in the same order, with final sequences
     * @return per device id, the highest sequence of its applied changes in the batch; empty when none was applied
     */
    public static Map<String, Long> of(List<Change> changes, BatchOutcome outcome) {
        Map<String, Long> marks = new HashMap<>(4);
        List<ChangeOutcome> outcomes = outcome.outcomes();
        for (int i = 0; i < outcomes.size() && i < changes.size(); i++) {
            ChangeOutcome result = outcomes.get(i);
            if (result.status() == ChangeStatus.APPLIED) {
                marks.merge(changes.get(i).deviceId(), result.sequence(), Math::max);
            }
        }
        return marks;
    }
}
