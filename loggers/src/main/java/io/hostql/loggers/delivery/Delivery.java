package io.hostql.loggers.delivery;

import io.hostql.events.Clock;
import io.hostql.events.EventSink;
import io.hostql.events.Journal;
import io.hostql.events.LogLineEvent;
import io.hostql.events.LossEvent;
import io.hostql.events.RecordTooLargeException;
import io.hostql.loggers.ResultLogger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every result line to every listed logger plugin. The filesystem logger stays synchronous (it is the
 * local file, and a failure there is the caller's to retry, as before); every other plugin is a
 * {@link Sink} fed from the durable {@link Outbox} by its own {@link SinkRunner}. Lines go to the
 * outbox first: once logResults returns they survive a {@code kill -9}, and the scheduler saves its
 * state only after that, so a crash repeats lines rather than losing them.
 */
public final class Delivery implements ResultLogger {
    private final ResultLogger filesystem;
    private final Outbox outbox;
    private final List<SinkRunner> runners;
    private final boolean statusWanted;
    /** Where a line too big for the outbox is counted (the event journal). */
    private final EventSink losses;

    private Delivery(ResultLogger filesystem, Outbox outbox, List<SinkRunner> runners, EventSink losses) {
        this.filesystem = filesystem;
        this.outbox = outbox;
        this.losses = losses;
        this.runners = List.copyOf(runners);
        this.statusWanted = runners.stream().anyMatch(SinkRunner::sinkTakesStatus);
    }

    /**
     * Opens the outbox under {@code outboxDir} when there is a sink (none: no outbox at all) and starts
     * one runner per sink. Loss records (dropped past the bound, refused, damaged outbox) go to
     * {@code losses}, the event journal, so they land in hostql_event_losses.
     */
    public static Delivery start(ResultLogger filesystem, List<Sink> sinks, Path outboxDir, EventSink losses, SinkRunner.Limits limits)
            throws IOException {
        if (sinks.isEmpty()) return new Delivery(filesystem, null, List.of(), losses);
        Outbox outbox = Outbox.open(outboxDir);
        for (LossEvent r : outbox.journal().recoveries()) {
            losses.append(new LossEvent(Clock.nowNanos(), "logger outbox", r.count(), "logger outbox: " + r.reason()));
        }
        List<SinkRunner> runners = new ArrayList<>();
        try {
            for (Sink s : sinks) runners.add(new SinkRunner(s, outbox, losses, limits));
        } catch (IOException | RuntimeException e) {
            outbox.close();
            throw e;
        }
        runners.forEach(SinkRunner::start);
        return new Delivery(filesystem, outbox, runners, losses);
    }

    @Override
    public void logResults(List<String> lines) {
        append(LogLineEvent.Kind.RESULT, lines);
        if (filesystem != null) filesystem.logResults(lines);
    }

    @Override
    public void logSnapshots(List<String> lines) {
        append(LogLineEvent.Kind.SNAPSHOT, lines);
        if (filesystem != null) filesystem.logSnapshots(lines);
    }

    private void append(LogLineEvent.Kind kind, List<String> lines) {
        if (outbox == null) return;
        for (String l : lines) toOutbox(kind, l.getBytes(StandardCharsets.UTF_8));
    }

    /** One line into the outbox; one too big for it is counted, not thrown: the filesystem log and the other lines go on. */
    private void toOutbox(LogLineEvent.Kind kind, byte[] line) {
        try {
            outbox.append(kind, line);
        } catch (RecordTooLargeException e) {
            losses.append(new LossEvent(Clock.nowNanos(), "logger outbox", 1, "logger outbox: a " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " line of " + line.length + " bytes is too big for one outbox record (at most " + Journal.MAX_EVENT_BYTES
                    + " bytes with its sequence and kind): not sent to the remote logger plugins (the filesystem logger has it)"));
        }
    }

    /** Whether some plugin takes status lines (so the status log need not be copied when none does). */
    public boolean takesStatus() {
        return statusWanted;
    }

    /** One status line (osquery's JSON status form) for the plugins that take status lines. */
    public void logStatus(String json) {
        if (outbox != null && statusWanted) toOutbox(LogLineEvent.Kind.STATUS, json.getBytes(StandardCharsets.UTF_8));
    }

    /** Hands the osquery config to every plugin (at start and on each reload). */
    public void configure(io.hostql.config.osquery.OsqueryConfig config) {
        for (SinkRunner r : runners) r.sink().configure(config);
    }

    /** One row per sink, for hostql_logger_status. */
    public List<SinkRunner.Status> status() {
        List<SinkRunner.Status> out = new ArrayList<>();
        for (SinkRunner r : runners) out.add(r.status());
        return out;
    }

    /** Deletes outbox files every sink has read past. */
    public void retention() {
        if (outbox != null) outbox.retention();
    }

    @Override
    public void close() {
        for (SinkRunner r : runners) r.close(2000); // a healthy sink gets a moment to take the last lines
        if (outbox != null) outbox.close();
        if (filesystem != null) filesystem.close();
    }
}
