package io.pocketsync.device.capture;

import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.testkit.capture.AbstractChangeCaptureContractTest;
import java.time.Clock;
import javax.sql.DataSource;

class SqliteTriggerCaptureContractTest extends AbstractChangeCaptureContractTest {
    @Override
    protected ChangeCapture createCapture(DataSource database) {
        return new SqliteTriggerCapture(database, Clock.systemUTC(), CaptureOptions.DEFAULTS);
    }
}
