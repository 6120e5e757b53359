package io.hostql.loggers.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.hostql.events.LogLineEvent;
import java.io.IOException;

/**
 * When a result or status line happened, for the receivers that file lines by time (an index per day,
 * Splunk's event time): its top-level {@code unixTime}, which every line hostql logs carries (osquery's
 * format), read without building the tree. A line without one falls back to when it entered the outbox.
 */
public final class LineTime {
    private static final JsonFactory JSON = new JsonFactory();

    private LineTime() {}

    /** Seconds since the epoch. */
    public static long unixSeconds(LogLineEvent line) {
        try (JsonParser p = JSON.createParser(line.line())) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (name.equals("unixTime")) {
                        if (value == JsonToken.VALUE_NUMBER_INT) return p.getLongValue();
                        if (value == JsonToken.VALUE_STRING) return Long.parseLong(p.getText().strip());
                        break;
                    }
                    p.skipChildren();
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not osquery's form: the outbox time below
        }
        return line.captureNanos() / 1_000_000_000L;
    }
}
