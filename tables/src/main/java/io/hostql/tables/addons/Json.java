package io.hostql.tables.addons;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** JSON as the add-on tables read it. */
final class Json {
    private Json() {}

    /** Built on first use: an ObjectMapper costs every shell start-up otherwise. */
    private static final class Mapper {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** The parsed document, or null when bytes is null or not JSON. */
    static JsonNode parse(byte[] bytes) {
        if (bytes == null) return null;
        try {
            return Mapper.MAPPER.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    /** A scalar's text as osquery's property trees hold it ("true", "12", "x"); null for a missing node or JSON null; "" for a container. */
    static String scalar(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) return null;
        if (n.isContainerNode()) return "";
        return n.asText();
    }

    /**
     * A node rendered as boost's property-tree JSON writer renders it (osquery's *_json columns):
     * compact, every scalar a string, '/' escaped, an empty container as "".
     */
    static String ptree(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        ptree(n, sb);
        return sb.toString();
    }

    private static void ptree(JsonNode n, StringBuilder sb) {
        if (n.isContainerNode() && n.size() > 0) {
            boolean array = n.isArray();
            sb.append(array ? '[' : '{');
            boolean first = true;
            var fields = n.fields();
            if (array) {
                for (JsonNode c : n) {
                    if (!first) sb.append(',');
                    first = false;
                    ptree(c, sb);
                }
            } else {
                while (fields.hasNext()) {
                    var e = fields.next();
                    if (!first) sb.append(',');
                    first = false;
                    quote(e.getKey(), sb);
                    sb.append(':');
                    ptree(e.getValue(), sb);
                }
            }
            sb.append(array ? ']' : '}');
        } else {
            String s = n.isContainerNode() ? "" : n.isNull() ? "null" : n.asText();
            quote(s, sb);
        }
    }

    private static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '/' -> sb.append("\\/");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
