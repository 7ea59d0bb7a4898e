package io.pocketsync.it.hostile;

import io.pocketsync.api.ErrorCode;
import java.util.List;
import java.util.function.Predicate;

/** What a hostile case must provoke; awaited on the peer's {@link Observed} answers. */
record Expect(String description, Predicate<Observed> met) {
    /** An ERROR with one of {@code codes}. */
    static Expect error(ErrorCode... codes) {
        List<ErrorCode> allowed = List.of(codes);
        return new Expect("ERROR " + allowed, o -> o.errorCodes().stream().anyMatch(allowed::contains));
    }

    /** An ERROR with one of {@code codes}, or the connection closed without one (e.g. by the frame parser). */
    static Expect errorOrClose(ErrorCode... codes) {
        Expect error = error(codes);
        return new Expect(error.description + " or close", o -> error.met.test(o) || o.closed() && o.errorCodes().isEmpty());
    }

    /** The pushed change answered REJECTED with {@code code} in an ACK. */
    static Expect rejected(ErrorCode code) {
        return new Expect("REJECTED " + code, o -> o.rejectedCodes().contains(code));
    }

    /** An ACK whose every result is APPLIED (the input was legal, if odd, in the peer's own scope). */
    static Expect applied() {
        return new Expect("APPLIED in its own scope", o -> o.acked() && o.rejectedCodes().isEmpty() && o.messages().stream()
                .filter(io.pocketsync.api.protocol.Ack.class::isInstance)
                .flatMap(m -> ((io.pocketsync.api.protocol.Ack) m).results().stream())
                .allMatch(r -> r.status() == io.pocketsync.api.protocol.ChangeStatus.APPLIED));
    }

    /** An ACK (the push was legal in the peer's own scope). */
    static Expect acked() {
        return new Expect("ACK in its own scope", Observed::acked);
    }

    /**
     * Nothing but the answer to the sentinel that closes the case (a HELLO with a wrong token on the peer's
     * own address, answered AUTH_FAILED): the frames before it were dropped without a word.
     */
    static Expect ignoredThenSentinel() {
        return new Expect("ignored (only the sentinel's AUTH_FAILED)", o -> o.errorCodes().equals(List.of(ErrorCode.AUTH_FAILED))
                && o.messages().size() == 1);
    }
}
