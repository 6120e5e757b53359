/**
 * Publishers read one kernel event source each, on their own thread, through JNA, and append typed
 * records to the journal ({@link io.hostql.events.EventSink}). They do nothing slow (no hashing, no
 * database writes), capture at once whatever a short-lived subject needs, and turn every loss the
 * kernel reports into a {@link io.hostql.events.LossEvent}.
 *
 * <p>Every publisher is a {@link io.hostql.publishers.Publisher} (made and configured by a factory,
 * started, reconfigured on SIGHUP, closed; its status feeds osquery_events). A publisher over a
 * descriptor extends {@link io.hostql.publishers.ReaderThread}, which owns the thread, the poll loop
 * with its {@link io.hostql.publishers.Wakeup}, pause and resume for tests, work handed to the thread,
 * and close with its join; the subclass only reads its source. The daemon's registration table
 * ({@code io.hostql.daemon.EventSources}) names each publisher and its subscribers.
 */
package io.hostql.publishers;
