package io.pocketsync.api.store;

import io.pocketsync.api.model.Scope;
import java.util.Collection;
import java.util.Map;

/**
 * Small named values a server keeps per scope for its operators, beside the data: which devices are revoked, which
 * must resync at their next connection, when each device was last seen. The engine decides the names and what the
 * values mean; a store only keeps them. Not part of the change log: notes are never synced to devices, never pruned
 * by {@link ServerStore#prune}, and do not make a scope appear in {@link ServerStore#scopes()}.
 *
 * <p>Contract (checked by {@code AbstractScopeNotesContractTest}): a {@link #write} is durable to the store's
 * documented durability when it returns and is seen by every later {@link #read} of every node sharing the store;
 * notes of one scope never show in another; each name is written on its own (two nodes writing different names of
 * one scope lose neither). Names are 1-200 characters of printable ASCII without spaces; values are at most 8192
 * characters and hold no line breaks. Stores need not check either.
 *
 * <p>Thread-safe.
 */
public interface ScopeNotes {
    /** The longest note name, in characters. */
    int MAX_NAME_LENGTH = 200;
    /** The longest note value, in characters. */
    int MAX_VALUE_LENGTH = 8192;

    /**
     * Every note of a scope.
     *
     * @param scope the scope
     * @return name to value; empty when the scope has none
     * @throws io.pocketsync.api.PocketSyncException with {@code STORE_UNAVAILABLE} when the store cannot be read
     */
    Map<String, String> read(Scope scope);

    /**
     * Some notes of a scope.
     *
     * @param scope the scope
     * @param names the names to read
     * @return name to value of those that exist; a missing name is left out
     * @throws io.pocketsync.api.PocketSyncException with {@code STORE_UNAVAILABLE} when the store cannot be read
     */
    Map<String, String> read(Scope scope, Collection<String> names);

    /**
     * Sets notes of a scope, replacing the values of names that exist.
     *
     * @param scope the scope
     * @param notes name to value; nothing is written when empty
     * @throws io.pocketsync.api.PocketSyncException with {@code STORE_UNAVAILABLE} when nothing was written
     */
    void write(Scope scope, Map<String, String> notes);

    /**
     * Removes notes of a scope; names that do not exist are ignored.
     *
     * @param scope the scope
     * @param names the names to remove
     * @throws io.pocketsync.api.PocketSyncException with {@code STORE_UNAVAILABLE} when the store cannot be written
     */
    void remove(Scope scope, Collection<String> names);

    /**
     * Notes held in this process's memory: lost at a restart and not shared with other nodes. What the engine uses
     * for a store that keeps none ({@link ServerStore#scopeNotes()} empty).
     *
     * @return new, empty notes
     */
    static ScopeNotes inMemory() {
        return new InMemoryScopeNotes();
    }
}
