package io.hostql.loggers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.hostql.sql.QueryResult;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds osquery's result-log JSON lines, key for key in osquery's order (core/query.cpp):
 * differential results in event format (one line per row with {@code columns} and {@code action},
 * removed before added) or batch format ({@code diffResults}), and snapshot lines. Independent of
 * the scheduler: anything that produces rows (alert rules, live queries) logs through it.
 *
 * <p>A row is a map of column to value (Long, Double, String, byte[] as UTF-8 text, or null, which
 * osquery has no notion of and prints as ""). Without {@code numerics} every value is a string. Lines are
 * always valid UTF-8: malformed bytes and unpaired surrogates read as U+FFFD.
 */
public final class ResultLines {
    private static final JsonFactory JSON = new JsonFactory();
    /** asctime(3) of UTC, as osquery's calendarTime: "Mon May  2 22:27:32 2016 UTC". */
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private ResultLines() {}

    public static String calendarTime(long unixTime) {
        return ASCTIME.format(Instant.ofEpochSecond(unixTime));
    }

    /** The lines of one differential run; none when nothing was added or removed. */
    public static List<String> differential(QueryLogItem item, LogFormat format, List<Map<String, Object>> added,
            List<Map<String, Object>> removed) {
        if (added.isEmpty() && removed.isEmpty()) return List.of();
        if (!format.eventFormat()) {
            return List.of(line(g -> {
                g.writeStartObject();
                g.writeObjectFieldStart("diffResults");
                rows(g, "removed", removed, format);
                rows(g, "added", added, format);
                g.writeEndObject();
                common(g, item, format);
                g.writeEndObject();
            }));
        }
        List<String> out = new ArrayList<>(added.size() + removed.size());
        for (Map<String, Object> r : removed) out.add(event(item, format, r, "removed"));
        for (Map<String, Object> r : added) out.add(event(item, format, r, "added"));
        return out;
    }

    /** The lines of one snapshot run: one line holding every row, or one line per row with logger_snapshot_event_type. */
    public static List<String> snapshot(QueryLogItem item, LogFormat format, List<Map<String, Object>> rows) {
        if (format.snapshotEventFormat()) {
            List<String> out = new ArrayList<>(rows.size());
            for (Map<String, Object> r : rows) out.add(event(item, format, r, "snapshot"));
            return out;
        }
        return List.of(line(g -> {
            g.writeStartObject();
            rows(g, "snapshot", rows, format);
            g.writeStringField("action", "snapshot");
            common(g, item, format);
            g.writeEndObject();
        }));
    }

    /** One event-format line: the common fields, then columns and action. */
    public static String event(QueryLogItem item, LogFormat format, Map<String, Object> row, String action) {
        return line(g -> {
            g.writeStartObject();
            common(g, item, format);
            g.writeFieldName("columns");
            row(g, row, format);
            g.writeStringField("action", action);
            g.writeEndObject();
        });
    }

    private static void common(JsonGenerator g, QueryLogItem item, LogFormat format) throws IOException {
        g.writeStringField("name", item.name());
        g.writeStringField("hostIdentifier", item.hostIdentifier());
        g.writeStringField("calendarTime", calendarTime(item.unixTime()));
        g.writeNumberField("unixTime", item.unixTime());
        g.writeNumberField("epoch", item.epoch());
        g.writeNumberField("counter", item.counter());
        g.writeBooleanField("numerics", format.numerics());
        if (item.decorations().isEmpty()) return;
        if (format.decorationsTopLevel()) {
            for (Map.Entry<String, String> d : item.decorations().entrySet()) g.writeStringField(d.getKey(), d.getValue());
        } else {
            g.writeObjectFieldStart("decorations");
            for (Map.Entry<String, String> d : item.decorations().entrySet()) g.writeStringField(d.getKey(), d.getValue());
            g.writeEndObject();
        }
    }

    private static void rows(JsonGenerator g, String field, List<Map<String, Object>> rows, LogFormat format) throws IOException {
        g.writeArrayFieldStart(field);
        for (Map<String, Object> r : rows) row(g, r, format);
        g.writeEndArray();
    }

    private static void row(JsonGenerator g, Map<String, Object> row, LogFormat format) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, Object> c : row.entrySet()) {
            g.writeFieldName(c.getKey());
            value(g, c.getValue(), format.numerics());
        }
        g.writeEndObject();
    }

    private static void value(JsonGenerator g, Object v, boolean numerics) throws IOException {
        if (v == null) g.writeString("");
        else if (v instanceof Long || v instanceof Integer) {
            if (numerics) g.writeNumber(((Number) v).longValue());
            else g.writeString(v.toString());
        } else if (v instanceof Double d) {
            if (numerics && !d.isNaN() && !d.isInfinite()) g.writeNumber(d);
            else g.writeString(QueryResult.formatDouble(d));
        } else if (v instanceof byte[] b) g.writeString(new String(b, StandardCharsets.UTF_8));
        else g.writeString(v.toString());
    }

    private interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    private static String line(Writer w) {
        StringWriter sw = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(sw)) {
            w.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return wellFormed(sw.toString());
    }

    /**
     * The line with each unpaired surrogate (a String can hold one; UTF-8 cannot) replaced by U+FFFD, as
     * malformed UTF-8 in a byte[] value already is: the line is valid UTF-8 and parses back to the same text,
     * where the log file's encoder would have written '?'.
     */
    static String wellFormed(String s) {
        int n = s.length(), i = 0;
        while (i < n && !Character.isSurrogate(s.charAt(i))) i++;
        if (i == n) return s;
        StringBuilder sb = new StringBuilder(n).append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else {
                sb.append(Character.isSurrogate(c) ? '\ufffd' : c);
            }
        }
        return sb.toString();
    }
}
