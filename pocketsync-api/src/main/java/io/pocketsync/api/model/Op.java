package io.pocketsync.api.model;

/** The kind of a captured mutation. */
public enum Op {
    INSERT,
    UPDATE,
    DELETE
}
