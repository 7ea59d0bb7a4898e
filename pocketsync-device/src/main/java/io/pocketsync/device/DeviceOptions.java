package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.transport.ReconnectPolicy;
import java.time.Duration;

/**
 * Tuning of the device engine. Immutable.
 *
 * @param pollInterval how often other connections' and processes' commits are looked for (default 50 ms)
 * @param pushBatchSize most changes per PUSH (the server's {@code maxBatch} caps it further; default 1000, the
 *        server's default cap: fewer, larger batches cost the device less per change while a backlog drains; a
 *        single change is still sent at once)
 * @param pullLimit most rows asked for per catch-up page (default 1000; the server bounds a page by its own row and byte
 *        limits too)
 * @param pushTimeout a PUSH without ACK after this long is sent again with the same change ids (default 10 s)
 * @param retry backoff for retrying a push the server could not store ({@code STORE_UNAVAILABLE})
 * @param catchUpInterval how often a connected device pulls from its cursor even though nothing told it
 *        to (default 30 s): live broadcasts a transport lost without a trace (an MQTT broker dropping
 *        messages for a slow client) are healed at the latest after this long; an up-to-date device gets
 *        an empty page
 * @param pushWindow most PUSH messages in flight (sent, not yet answered) at once (default 4; 1 waits for each
 *        ACK before the next PUSH). Batches in flight never share a row, so a row's changes reach the server in
 *        local order even when a batch has to be sent again (protocol.md 3.2)
 * @param pushMaxBytes most bytes of changes per PUSH, estimated from the row images (strings at 3 bytes a
 *        character) plus {@value #CHANGE_OVERHEAD_BYTES} per change for its ids and field names; the server's
 *        announced {@code maxMessageBytes} caps it further (default 512 KiB, half of the transports' default
 *        1 MiB limit). A batch of large rows is cut short rather than refused as too large; a single change is
 *        always sent
 * @param verifyInterval how often a connected device compares its rows with the server's by checksum and repairs
 *        what differs (docs/protocol.md 4; default 5 minutes; it also does so after the first catch-up of each
 *        session); {@link Duration#ZERO} turns the automatic checks off ({@link PocketSyncDevice#verify} still works)
 * @param refusalBackoff backoff after the server refused the device's HELLO for a reason retrying soon cannot fix (a
 *        wrong or expired token, a forbidden scope, an unsupported protocol version): the device waits before it says
 *        HELLO again, doubling up to the cap, and logs one line per wait (default 1 s doubling up to 5 minutes). A
 *        WELCOME starts it over
 */
public record DeviceOptions(Duration pollInterval, int pushBatchSize, int pullLimit, Duration pushTimeout, ReconnectPolicy retry,
        Duration catchUpInterval, int pushWindow, int pushMaxBytes, Duration verifyInterval, ReconnectPolicy refusalBackoff) {
    /** The default {@link #verifyInterval()}. */
    public static final Duration DEFAULT_VERIFY_INTERVAL = Duration.ofMinutes(5);
    /** The default {@link #refusalBackoff()}: 1 s doubling up to 5 minutes. */
    public static final ReconnectPolicy DEFAULT_REFUSAL_BACKOFF = new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofMinutes(5));
    /** The default {@link #pushWindow()}. */
    public static final int DEFAULT_PUSH_WINDOW = 4;
    /** The default {@link #pushMaxBytes()}. */
    public static final int DEFAULT_PUSH_MAX_BYTES = 512 * 1024;
    /** What {@link #pushMaxBytes()} counts per change besides its row image: ids, clock and field names. */
    public static final int CHANGE_OVERHEAD_BYTES = 256;

    /** The defaults. */
    public static final DeviceOptions DEFAULTS = new DeviceOptions(Duration.ofMillis(50), 1000, 1000, Duration.ofSeconds(10),
            new ReconnectPolicy(Duration.ofMillis(200), Duration.ofSeconds(30)), Duration.ofSeconds(30), DEFAULT_PUSH_WINDOW,
            DEFAULT_PUSH_MAX_BYTES, DEFAULT_VERIFY_INTERVAL, DEFAULT_REFUSAL_BACKOFF);

    /**
     * Options with the default catch-up interval (30 s), push window and push byte budget.
     *
     * @param pollInterval how often other connections' commits are looked for; positive, not null
     * @param pushBatchSize most changes per PUSH; at least 1
     * @param pullLimit most rows asked for per catch-up page; at least 1
     * @param pushTimeout how long a PUSH may wait for its ACK before it is sent again; positive, not null
     * @param retry backoff for retrying a push the server could not store; not null
     */
    public DeviceOptions(Duration pollInterval, int pushBatchSize, int pullLimit, Duration pushTimeout, ReconnectPolicy retry) {
        this(pollInterval, pushBatchSize, pullLimit, pushTimeout, retry, Duration.ofSeconds(30));
    }

    /**
     * Options with the default push window and push byte budget.
     *
     * @param pollInterval how often other connections' commits are looked for; positive, not null
     * @param pushBatchSize most changes per PUSH; at least 1
     * @param pullLimit most rows asked for per catch-up page; at least 1
     * @param pushTimeout how long a PUSH may wait for its ACK before it is sent again; positive, not null
     * @param retry backoff for retrying a push the server could not store; not null
     * @param catchUpInterval how often a connected device pulls from its cursor unprompted; positive, not null
     */
    public DeviceOptions(Duration pollInterval, int pushBatchSize, int pullLimit, Duration pushTimeout, ReconnectPolicy retry,
            Duration catchUpInterval) {
        this(pollInterval, pushBatchSize, pullLimit, pushTimeout, retry, catchUpInterval, DEFAULT_PUSH_WINDOW);
    }

    /**
     * Options with the default push byte budget ({@value #DEFAULT_PUSH_MAX_BYTES} bytes).
     *
     * @param pollInterval how often other connections' commits are looked for; positive, not null
     * @param pushBatchSize most changes per PUSH; at least 1
     * @param pullLimit most rows asked for per catch-up page; at least 1
     * @param pushTimeout how long a PUSH may wait for its ACK before it is sent again; positive, not null
     * @param retry backoff for retrying a push the server could not store; not null
     * @param catchUpInterval how often a connected device pulls from its cursor unprompted; positive, not null
     * @param pushWindow most PUSH messages in flight at once; at least 1
     */
    public DeviceOptions(Duration pollInterval, int pushBatchSize, int pullLimit, Duration pushTimeout, ReconnectPolicy retry,
            Duration catchUpInterval, int pushWindow) {
        this(pollInterval, pushBatchSize, pullLimit, pushTimeout, retry, catchUpInterval, pushWindow, DEFAULT_PUSH_MAX_BYTES);
    }

    /**
     * Validates the options.
     *
     * @param pollInterval how often other connections' and processes' commits are looked for; positive
     * @param pushBatchSize most changes per PUSH; at least 1
     * @param pullLimit most rows asked for per catch-up page; at least 1
     * @param pushTimeout how long a PUSH waits for its ACK before it is sent again; positive
     * @param retry backoff for retrying a push the server could not store
     * @param catchUpInterval how often a connected device pulls from its cursor unprompted; positive
     * @param pushWindow most PUSH messages in flight at once; at least 1
     * @param pushMaxBytes most estimated bytes of changes per PUSH; at least 1
     * @param verifyInterval how often a connected device compares its rows with the server's; zero for never
     * @param refusalBackoff backoff after the server refused the device's HELLO for good
     * @throws NullPointerException when a duration or a policy is null
     * @throws IllegalArgumentException when a duration is zero or negative or a count is below 1
     */
    public DeviceOptions {
        requireNonNull(pollInterval, "pollInterval is null");
        requireNonNull(pushTimeout, "pushTimeout is null");
        requireNonNull(retry, "retry is null");
        requireNonNull(catchUpInterval, "catchUpInterval is null");
        requireNonNull(verifyInterval, "verifyInterval is null");
        requireNonNull(refusalBackoff, "refusalBackoff is null");
        if (verifyInterval.isNegative()) {
            throw new IllegalArgumentException("verifyInterval must not be negative");
        }
        if (catchUpInterval.isNegative() || catchUpInterval.isZero()) {
            throw new IllegalArgumentException("catchUpInterval must be positive");
        }
        if (pollInterval.isNegative() || pollInterval.isZero() || pushBatchSize < 1 || pullLimit < 1 || pushTimeout.isNegative()
                || pushTimeout.isZero() || pushWindow < 1 || pushMaxBytes < 1) {
            throw new IllegalArgumentException("device options must be positive");
        }
    }

    /**
     * A copy with another poll interval.
     *
     * @param value how often other connections' and processes' commits are looked for; positive, not null
     * @return the new options; this instance is unchanged
     */
    public DeviceOptions withPollInterval(Duration value) {
        return new DeviceOptions(value, pushBatchSize, pullLimit, pushTimeout, retry, catchUpInterval, pushWindow, pushMaxBytes,
                verifyInterval, refusalBackoff);
    }

    /**
     * A copy with another push batch size.
     *
     * @param value most changes per PUSH, at least 1 (the server's {@code maxBatch} caps it further)
     * @return the new options; this instance is unchanged
     */
    public DeviceOptions withPushBatchSize(int value) {
        return new DeviceOptions(pollInterval, value, pullLimit, pushTimeout, retry, catchUpInterval, pushWindow, pushMaxBytes,
                verifyInterval, refusalBackoff);
    }

    /**
     * A copy with another catch-up page size.
     *
     * @param value most rows asked for per catch-up page; at least 1
     * @return the new options; this instance is unchanged
     */
    public DeviceOptions withPullLimit(int value) {
        return new DeviceOptions(pollInterval, pushBatchSize, value, pushTimeout, retry, catchUpInterval, pushWindow, pushMaxBytes,
                verifyInterval, refusalBackoff);
    }

    /**
     * A copy with another push timeout.
     *
     * @param value how long a PUSH waits for its ACK before it is sent again with the same change ids; positive,
     *        not null
     * @return the new options; this instance is unchanged
     */
    public DeviceOptions withPushTimeout(Duration value) {
        return new DeviceOptions(pollInterval, pushBatchSize, pullLimit, value, retry, catchUpInterval, pushWindow, pushMaxBytes,
                verifyInterval, refusalBackoff);
    }

    /**
     * A copy with another push window.
     *
     * @param value most PUSH messages in flight (sent, not yet answered) at once; at least 1, and 1 waits for
     *        each ACK before the next PUSH
     * @return the new options; this instance is unchanged
     */
    public DeviceOptions withPushWindow(int value) {
        return new DeviceOptions(pollInterval, pushBatchSize, pullLimit, pushTimeout, retry, catchUpInterval, value, pushMaxBytes,
                verifyInterval, refusalBackoff);
    }

    /**
     * A copy with another catch-up interval.
     *
     * @param value how often a connected device pulls from its cursor even though nothing told it to; positive,
     *        not null
     * @return the new options; this instance is unchanged
     */
    public DeviceOptions withCatchUpInterval(Duration value) {
        return new DeviceOptions(pollInterval, pushBatchSize, pullLimit, pushTimeout, retry, value, pushWindow, pushMaxBytes,
                verifyInterval, refusalBackoff);
    }

    /**
     * A copy with another push byte budget.
     *
     * @param value most estimated bytes of changes per PUSH; at least 1 (a single change is always sent, and the
     *        server's {@code maxMessageBytes} caps it further)
     * @return the new options; this instance is unchanged
     */
    public DeviceOptions withPushMaxBytes(int value) {
        return new DeviceOptions(pollInterval, pushBatchSize, pullLimit, pushTimeout, retry, catchUpInterval, pushWindow, value,
                verifyInterval, refusalBackoff);
    }

    /**
     * Options with the default verify interval.
     *
     * @param pollInterval how often other connections' commits are looked for; positive, not null
     * @param pushBatchSize most changes per PUSH; at least 1
     * @param pullLimit most rows asked for per catch-up page; at least 1
     * @param pushTimeout how long a PUSH may wait for its ACK before it is sent again; positive, not null
     * @param retry backoff for retrying a push the server could not store; not null
     * @param catchUpInterval how often a connected device pulls from its cursor unprompted; positive
     * @param pushWindow most PUSH messages in flight at once; at least 1
     * @param pushMaxBytes most estimated bytes of changes per PUSH; at least 1
     */
    public DeviceOptions(Duration pollInterval, int pushBatchSize, int pullLimit, Duration pushTimeout, ReconnectPolicy retry,
            Duration catchUpInterval, int pushWindow, int pushMaxBytes) {
        this(pollInterval, pushBatchSize, pullLimit, pushTimeout, retry, catchUpInterval, pushWindow, pushMaxBytes,
                DEFAULT_VERIFY_INTERVAL);
    }

    /**
     * Options with the default refusal backoff ({@link #DEFAULT_REFUSAL_BACKOFF}).
     *
     * @param pollInterval how often other connections' commits are looked for; positive, not null
     * @param pushBatchSize most changes per PUSH; at least 1
     * @param pullLimit most rows asked for per catch-up page; at least 1
     * @param pushTimeout how long a PUSH may wait for its ACK before it is sent again; positive, not null
     * @param retry backoff for retrying a push the server could not store; not null
     * @param catchUpInterval how often a connected device pulls from its cursor unprompted; positive
     * @param pushWindow most PUSH messages in flight at once; at least 1
     * @param pushMaxBytes most estimated bytes of changes per PUSH; at least 1
     * @param verifyInterval how often a connected device compares its rows with the server's; zero for never
     */
    public DeviceOptions(Duration pollInterval, int pushBatchSize, int pullLimit, Duration pushTimeout, ReconnectPolicy retry,
            Duration catchUpInterval, int pushWindow, int pushMaxBytes, Duration verifyInterval) {
        this(pollInterval, pushBatchSize, pullLimit, pushTimeout, retry, catchUpInterval, pushWindow, pushMaxBytes, verifyInterval,
                DEFAULT_REFUSAL_BACKOFF);
    }

    /**
     * A copy with another refusal backoff.
     *
     * @param value how long the device waits before it says HELLO again after a refusal that retrying soon cannot fix,
     *        doubling up to the policy's cap; not null
     * @return the new options; this instance is unchanged
     */
    public DeviceOptions withRefusalBackoff(ReconnectPolicy value) {
        return new DeviceOptions(pollInterval, pushBatchSize, pullLimit, pushTimeout, retry, catchUpInterval, pushWindow,
                pushMaxBytes, verifyInterval, value);
    }

    /**
     * A copy with another verify interval.
     *
     * @param value how often a connected device compares its rows with the server's by checksum; {@link Duration#ZERO}
     *        turns the automatic checks off; not negative, not null
     * @return the new options; this instance is unchanged
     */
    public DeviceOptions withVerifyInterval(Duration value) {
        return new DeviceOptions(pollInterval, pushBatchSize, pullLimit, pushTimeout, retry, catchUpInterval, pushWindow,
                pushMaxBytes, value, refusalBackoff);
    }
}
