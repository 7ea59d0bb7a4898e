package io.pocketsync.server.engine;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What an operator did with a rejected change of the audit log ({@link ServerAdmin#drop}, {@link ServerAdmin#retry}).
 *
 * @param at when
 * @param action {@code dropped} or {@code retried}
 * @param changeId for {@code retried}, the id the change was stored under again; else null
 * @param outcome for {@code retried}, the store's answer ({@code APPLIED}, {@code SUPERSEDED}, {@code DUPLICATE}, or
 *        {@code REJECTED:<code>}); else null
 */
public record AuditHandling(Instant at, String action, @Nullable String changeId, @Nullable String outcome) {}
