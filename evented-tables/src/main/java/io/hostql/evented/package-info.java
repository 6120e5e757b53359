/**
 * The evented tables: their declarations ({@link io.hostql.evented.EventedTables}), the store in events.db
 * ({@link io.hostql.evented.EventStore}), and {@link io.hostql.evented.Row}, by which a subscriber fills a
 * row by column name.
 *
 * <p>A table's columns are declared once, in {@code EventedTables}, in osquery's order (hostql's own
 * last). A subscriber names the columns it fills in static finals: each name is checked against that
 * declaration when the class loads, so a name or type the table lacks stops hostqld at start with a
 * message naming table and column, and a row costs no lookup. A column the subscriber does not set is
 * NULL; the eid is assigned in commit order by {@code Subscriber.Rows.add}. For example (user_events,
 * shortened):
 *
 * <pre>{@code
 * public final class UserEventsSubscriber extends Subscriber {
 *     private static final Row.Layout USER = Row.layout(EventedTables.USER_EVENTS);
 *     private static final Row.Text MESSAGE = USER.text("message"), TERMINAL = USER.text("terminal");
 *     private static final Row.Int UID = USER.integer("uid"), PID = USER.integer("pid"), TIME = USER.integer("time");
 *
 *     protected void handle(JournalEntry entry, Rows out) {
 *         if (!(entry.event() instanceof UserEvent e)) return;
 *         out.add(USER.row().set(UID, e.uid()).set(PID, e.pid()).set(MESSAGE, e.message()).set(TERMINAL, e.terminal())
 *                 .set(TIME, e.captureNanos() / 1_000_000_000L));
 *     }
 * }
 * }</pre>
 *
 * <p>A new evented table: declare its schema in {@code EventedTables} (and add it to {@code all()}), then
 * write a subscriber like the one above and register it in the daemon's {@code EventSources}
 * ({@code docs/evented-tables.md} walks through every file, by example). A status table with one row (hostql_audit_status) is filled the
 * same way and written with {@link io.hostql.evented.EventStore#replace}. Inside the store and for the
 * alert engine a row is its values in column order ({@link io.hostql.evented.Row#values()}); no other code
 * needs to know a column's position.
 */
package io.hostql.evented;
