package io.pocketsync.examples.todo;

/**
 * One row of the {@code todos} table.
 *
 * @param id the primary key: a UUID, so rows created on different devices never collide
 * @param title what to do
 * @param done whether it is done
 */
record Todo(String id, String title, boolean done) {}
