/**
 * Publishers read one kernel event source each, on their own thread, through JNA, and append typed
 * records to the journal ({@link io.hostql.events.EventSink}). They do nothing slow (no hashing, no
 * database writes), capture at once whatever a short-lived subject needs, and turn every loss the
 * kernel reports into a {@link io.hostql.events.LossEvent}.
 */
package io.hostql.publishers;
