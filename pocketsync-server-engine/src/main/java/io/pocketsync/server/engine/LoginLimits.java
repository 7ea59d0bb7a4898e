package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a {@link SyncServer} guards its front door (docs/operations.md, "Handshake limits" and "Authentication
 * throttling"). Build with {@link #builder()}; every value has a default.
 *
 * <p>Throttling: each failed login counts against the connection's address (when its transport knows one, see
 * {@link io.pocketsync.api.transport.Connection#peerAddress()}) and against the device id it named. When one of them
 * reaches its limit of failures within {@code failureWindow}, its logins are refused for {@code initialDelay}, then for
 * twice as long after each further failure, up to {@code maxDelay}; a quiet {@code failureWindow} after the last block
 * forgives it. A successful login forgives its device id, never its address.
 *
 * @param handshakeTimeout how long a connection may take from being handed to the engine to its WELCOME (default 10 s)
 * @param maxPendingHandshakesPerAddress connections of one address that may wait for their WELCOME at once (default 64)
 * @param addressFailures failed logins of one address within {@code failureWindow} before it is throttled (default 20)
 * @param deviceFailures failed logins naming one device id within {@code failureWindow} before it is throttled
 *        (default 5)
 * @param failureWindow the span failures are counted over, and the quiet time that forgives (default 1 minute)
 * @param initialDelay the first block (default 1 s)
 * @param maxDelay the longest block (default 1 minute)
 */
public record LoginLimits(
        Duration handshakeTimeout,
        int maxPendingHandshakesPerAddress,
        int addressFailures,
        int deviceFailures,
        Duration failureWindow,
        Duration initialDelay,
        Duration maxDelay) {

    /**
     * Validates the limits.
     *
     * @param handshakeTimeout positive
     * @param maxPendingHandshakesPerAddress positive
     * @param addressFailures positive
     * @param deviceFailures positive
     * @param failureWindow positive
     * @param initialDelay positive
     * @param maxDelay at least {@code initialDelay}
     * @throws IllegalArgumentException when a value is out of range
     */
    public LoginLimits {
        positive(requireNonNull(handshakeTimeout, "handshakeTimeout is null"), "handshakeTimeout");
        positive(maxPendingHandshakesPerAddress, "maxPendingHandshakesPerAddress");
        positive(addressFailures, "addressFailures");
        positive(deviceFailures, "deviceFailures");
        positive(requireNonNull(failureWindow, "failureWindow is null"), "failureWindow");
        positive(requireNonNull(initialDelay, "initialDelay is null"), "initialDelay");
        requireNonNull(maxDelay, "maxDelay is null");
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay must be at least initialDelay: " + maxDelay + " < " + initialDelay);
        }
    }

    /**
     * Every default.
     *
     * @return the default limits
     */
    public static LoginLimits defaults() {
        return builder().build();
    }

    /**
     * Starts building limits.
     *
     * @return a builder holding every default
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from these limits.
     *
     * @return a new builder holding this record's values
     */
    public Builder toBuilder() {
        return new Builder().handshakeTimeout(handshakeTimeout).maxPendingHandshakesPerAddress(maxPendingHandshakesPerAddress)
                .addressFailures(addressFailures).deviceFailures(deviceFailures).failureWindow(failureWindow)
                .initialDelay(initialDelay).maxDelay(maxDelay);
    }

    private static void positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    private static void positive(Duration value, String name) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    /** Mutable builder; values are checked by {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private int maxPendingHandshakesPerAddress = 64;
        // an address may hide a fleet behind NAT: it gets more slack than one device id
        private int addressFailures = 20;
        private int deviceFailures = 5;
        private Duration failureWindow = Duration.ofMinutes(1);
        private Duration initialDelay = Duration.ofSeconds(1);
        private Duration maxDelay = Duration.ofMinutes(1);

        private Builder() {}

        /**
         * @param value how long a connection may take to its WELCOME (default 10 s)
         * @return this builder
         */
        public Builder handshakeTimeout(Duration value) {
            handshakeTimeout = value;
            return this;
        }

        /**
         * @param value connections of one address that may wait for their WELCOME at once (default 64)
         * @return this builder
         */
        public Builder maxPendingHandshakesPerAddress(int value) {
            maxPendingHandshakesPerAddress = value;
            return this;
        }

        /**
         * @param value failed logins of one address within the window before it is throttled (default 20)
         * @return this builder
         */
        public Builder addressFailures(int value) {
            addressFailures = value;
            return this;
        }

        /**
         * @param value failed logins naming one device id within the window before it is throttled (default 5)
         * @return this builder
         */
        public Builder deviceFailures(int value) {
            deviceFailures = value;
            return this;
        }

        /**
         * @param value the span failures are counted over, and the quiet time that forgives (default 1 minute)
         * @return this builder
         */
        public Builder failureWindow(Duration value) {
            failureWindow = value;
            return this;
        }

        /**
         * @param value the first block (default 1 s)
         * @return this builder
         */
        public Builder initialDelay(Duration value) {
            initialDelay = value;
            return this;
        }

        /**
         * @param value the longest block (default 1 minute)
         * @return this builder
         */
        public Builder maxDelay(Duration value) {
            maxDelay = value;
            return this;
        }

        /**
         * Validates and builds the limits.
         *
         * @return the limits
         * @throws IllegalArgumentException when a value is out of range
         */
        public LoginLimits build() {
            return new LoginLimits(handshakeTimeout, maxPendingHandshakesPerAddress, addressFailures, deviceFailures,
                    failureWindow, initialDelay, maxDelay);
        }
    }
}
