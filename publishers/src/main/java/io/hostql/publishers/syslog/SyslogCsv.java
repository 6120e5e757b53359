package io.hostql.publishers.syslog;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of rsyslog's {@code OsqueryCsvFormat}: six comma-separated fields (time, host, severity,
 * facility, tag, message), each optionally in double quotes with a doubled quote inside (rsyslog's
 * {@code csv} property option). As osquery's parser: fields are trimmed and the tag loses one trailing ':'.
 */
public final class SyslogCsv {
    public static final int FIELDS = 6;

    private SyslogCsv() {}

    /** The six fields (datetime, host, severity, facility, tag, message); throws, naming the problem, otherwise. */
    public static String[] parse(String line) {
        List<String> fields = split(line);
        if (fields.size() != FIELDS) {
            throw new IllegalArgumentException("expected " + FIELDS + " CSV fields (time, host, severity, facility, tag, message), got "
                    + fields.size());
        }
        String[] out = new String[FIELDS];
        for (int i = 0; i < FIELDS; i++) out[i] = fields.get(i).strip();
        String tag = out[4];
        if (tag.endsWith(":")) out[4] = tag.substring(0, tag.length() - 1); // rsyslog's syslogtag carries the colon
        return out;
    }

    static List<String> split(String line) {
        List<String> fields = new ArrayList<>(FIELDS);
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                if (!quoted) {
                    quoted = true;
                } else if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else {
                    quoted = false;
                }
            } else if (c == ',' && !quoted) {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) throw new IllegalArgumentException("a quoted field is not closed");
        fields.add(field.toString());
        return fields;
    }
}
