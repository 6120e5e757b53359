package io.hostql.loggers.gelf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.events.LogLineEvent;
import io.hostql.loggers.StatusLines;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A result, snapshot or status line as a GELF 1.1 message (Graylog's format): {@code version},
 * {@code host}, {@code short_message}, {@code full_message} (the osquery line itself, so nothing of it
 * is lost), {@code timestamp} (seconds), {@code level} (syslog severity), and additional fields
 * {@code _osquery_*} for the line's own keys and {@code _<column>} for each result column. GELF's
 * rules for additional fields: the name matches {@code ^[\w\.\-]*$} (other characters become
 * {@code _}) and {@code _id} is reserved (a column {@code id} becomes {@code _column_id}); values are
 * strings or numbers.
 */
final class GelfFormat {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern NOT_FIELD_CHAR = Pattern.compile("[^\\w.\\-]");
    static final int INFO = 6, WARNING = 4, ERROR = 3, CRITICAL = 2;

    private final String hostname;

    GelfFormat(String hostname) {
        this.hostname = hostname;
    }

    /** The additional-field name of a result column, by GELF's rules. */
    static String columnField(String column) {
        String name = "_" + NOT_FIELD_CHAR.matcher(column).replaceAll("_");
        return name.equals("_id") ? "_column_id" : name;
    }

    byte[] message(LogLineEvent l) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(l.line().length * 2 + 256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("version", "1.1");
            JsonNode n = parse(l.line());
            if (l.kind() == LogLineEvent.Kind.STATUS) status(g, l, n);
            else result(g, l, n);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    private static JsonNode parse(byte[] line) {
        try {
            JsonNode n = MAPPER.readTree(line);
            return n != null && n.isObject() ? n : MAPPER.createObjectNode();
        } catch (IOException e) {
            return MAPPER.createObjectNode(); // not JSON: the line still goes out whole, as full_message
        }
    }

    private void result(JsonGenerator g, LogLineEvent l, JsonNode n) throws IOException {
        String name = n.path("name").asText("");
        String action = n.path("action").asText(l.kind() == LogLineEvent.Kind.SNAPSHOT ? "snapshot" : "");
        g.writeStringField("host", n.path("hostIdentifier").asText(hostname));
        String shortMessage;
        JsonNode diff = n.get("diffResults");
        if (diff != null) {
            shortMessage = name + ": " + diff.path("added").size() + " added, " + diff.path("removed").size() + " removed";
        } else if (n.get("snapshot") != null) {
            shortMessage = name + ": snapshot of " + n.get("snapshot").size() + " rows";
        } else {
            shortMessage = name + " " + action;
        }
        g.writeStringField("short_message", shortMessage.isBlank() ? "osquery " + l.kind().name().toLowerCase() : shortMessage);
        g.writeStringField("full_message", new String(l.line(), java.nio.charset.StandardCharsets.UTF_8));
        timestamp(g, l, n);
        g.writeNumberField("level", INFO);
        g.writeStringField("_osquery_kind", l.kind().name().toLowerCase());
        if (!name.isEmpty()) g.writeStringField("_osquery_name", name);
        if (!action.isEmpty()) g.writeStringField("_osquery_action", action);
        if (n.has("epoch")) g.writeNumberField("_osquery_epoch", n.get("epoch").asLong());
        if (n.has("counter")) g.writeNumberField("_osquery_counter", n.get("counter").asLong());
        if (n.has("calendarTime")) g.writeStringField("_osquery_calendar_time", n.get("calendarTime").asText());
        JsonNode columns = n.get("columns");
        if (columns != null && columns.isObject()) {
            Set<String> written = new HashSet<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = columns.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> c = it.next();
                String field = columnField(c.getKey());
                if (field.startsWith("_osquery_") || !written.add(field)) continue; // a name already taken keeps its first value
                JsonNode v = c.getValue();
                if (v.isNumber()) g.writeNumberField(field, v.decimalValue());
                else g.writeStringField(field, v.isTextual() ? v.asText() : v.toString());
            }
        }
    }

    private void status(JsonGenerator g, LogLineEvent l, JsonNode n) throws IOException {
        StatusLines.Status s = StatusLines.parse(l.line());
        g.writeStringField("host", n.path("hostIdentifier").asText(hostname));
        g.writeStringField("short_message", s.message().isEmpty() ? "(empty status message)" : s.message());
        timestamp(g, l, n);
        g.writeNumberField("level", switch (s.severity()) {
            case 0 -> INFO;
            case 1 -> WARNING;
            case 2 -> ERROR;
            default -> CRITICAL;
        });
        g.writeStringField("_osquery_kind", "status");
        g.writeNumberField("_osquery_severity", s.severity());
        g.writeStringField("_osquery_location", s.filename() + ":" + s.line());
    }

    /** The line's unixTime (seconds), else when it entered the outbox. */
    private static void timestamp(JsonGenerator g, LogLineEvent l, JsonNode n) throws IOException {
        if (n.path("unixTime").canConvertToLong() && n.path("unixTime").isNumber()) g.writeNumberField("timestamp", n.get("unixTime").asLong());
        else g.writeNumberField("timestamp", l.captureNanos() / 1_000_000L / 1000.0);
    }
}
