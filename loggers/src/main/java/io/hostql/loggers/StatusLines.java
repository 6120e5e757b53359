package io.hostql.loggers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * osquery's status-log line as its buffered loggers send it: {@code hostIdentifier, calendarTime,
 * unixTime, severity, filename, line, message, version}, severity 0 INFO, 1 WARNING, 2 ERROR, 3 FATAL.
 * The outbox keeps status lines in this form; each plugin renders it its own way (syslog:
 * {@code severity=N location=F:L message=M}, as osquery).
 */
public final class StatusLines {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StatusLines() {}

    /** One parsed status line. */
    public record Status(int severity, String filename, long line, String message) {
        /** osquery's text form (syslog, stdout in osquery). */
        public String text() {
            return "severity=" + severity + " location=" + filename + ":" + line + " message=" + message;
        }
    }

    public static String json(String hostIdentifier, long unixTime, int severity, String filename, int line, String message,
            String version) {
        StringWriter sw = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(sw)) {
            g.writeStartObject();
            g.writeStringField("hostIdentifier", hostIdentifier);
            g.writeStringField("calendarTime", ResultLines.calendarTime(unixTime));
            g.writeNumberField("unixTime", unixTime);
            g.writeNumberField("severity", severity);
            g.writeStringField("filename", filename);
            g.writeNumberField("line", line);
            g.writeStringField("message", message);
            g.writeStringField("version", version);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return sw.toString();
    }

    /** Parses a line made by {@link #json}; a line that is not one comes back as an INFO message holding it. */
    public static Status parse(byte[] json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            return new Status(n.path("severity").asInt(0), n.path("filename").asText(""), n.path("line").asLong(0),
                    n.path("message").asText(""));
        } catch (IOException e) {
            return new Status(0, "", 0, new String(json, java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
