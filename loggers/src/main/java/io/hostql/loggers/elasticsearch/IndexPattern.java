package io.hostql.loggers.elasticsearch;

import io.hostql.config.SettingsException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * An index name with the line's date in it, in Logstash's syntax: {@code osquery-results-%{+yyyy.MM.dd}}
 * ({@code %{+PATTERN}}: the line's time in UTC, PATTERN as java.time's DateTimeFormatter). Checked
 * when the flags are read against the rules of Elasticsearch and OpenSearch for index names, so a bad
 * pattern stops the start instead of refusing every line.
 */
final class IndexPattern {
    private final String flag, pattern;
    private final List<Object> parts = new ArrayList<>(); // String literal or DateTimeFormatter

    IndexPattern(String flag, String pattern) {
        this.flag = flag;
        this.pattern = pattern;
        int i = 0;
        while (i < pattern.length()) {
            int open = pattern.indexOf("%{", i);
            if (open < 0) {
                parts.add(pattern.substring(i));
                break;
            }
            if (open > i) parts.add(pattern.substring(i, open));
            int close = pattern.indexOf('}', open);
            if (close < 0) throw bad("'%{' without a closing '}'");
            String inner = pattern.substring(open + 2, close);
            if (!inner.startsWith("+") || inner.length() == 1) throw bad("'%{" + inner + "}' is not a date ('%{+yyyy.MM.dd}')");
            try {
                parts.add(DateTimeFormatter.ofPattern(inner.substring(1)).withZone(ZoneOffset.UTC));
            } catch (IllegalArgumentException e) {
                throw bad("'%{" + inner + "}': " + e.getMessage());
            }
            i = close + 1;
        }
        String sample = name(Instant.parse("2026-12-31T23:59:59Z"));
        if (sample.isEmpty()) throw bad("it is empty");
        if (!sample.equals(sample.toLowerCase(java.util.Locale.ROOT))) throw bad("index names must be lowercase");
        if (sample.startsWith("_") || sample.startsWith("-") || sample.startsWith("+")) throw bad("an index name cannot start with _, - or +");
        if (sample.equals(".") || sample.equals("..")) throw bad("'.' and '..' are not index names");
        for (char c : sample.toCharArray()) {
            if ("\\/*?\"<>| ,#:".indexOf(c) >= 0) throw bad("index names cannot hold '" + c + "'");
        }
        if (sample.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) throw bad("index names are at most 255 bytes");
    }

    private SettingsException bad(String why) {
        return new SettingsException(flag + " '" + pattern + "': " + why);
    }

    String name(Instant at) {
        StringBuilder b = new StringBuilder();
        for (Object p : parts) {
            if (p instanceof DateTimeFormatter f) b.append(f.format(at));
            else b.append((String) p);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
