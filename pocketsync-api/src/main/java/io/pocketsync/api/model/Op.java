package io.pocketsync.api.model;

/** The kind of a captured mutation. */
public enum Op {
    /** A new row. */
    INSERT,
    /** A changed row; the change carries the full new image. */
    UPDATE,
    /** A deleted row; the change carries no image. */
    DELETE
}
