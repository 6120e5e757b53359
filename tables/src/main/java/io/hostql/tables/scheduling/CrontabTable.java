package io.hostql.tables.scheduling;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.os.Dirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * crontab: the jobs of /etc/crontab, /etc/cron.d/* and the user crontabs in /var/spool/cron and
 * /var/spool/cron/crontabs. As in osquery, the command of a system crontab line starts with its
 * user field; hostql's hidden username column holds that user (or the owner of a user crontab).
 */
public final class CrontabTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("crontab", "Line parsed values from system and user cron/tab.")
            .text("event").text("minute").text("hour").text("day_of_month").text("month").text("day_of_week")
            .text("command").text("path").integer("pid_with_namespace", ADDITIONAL, HIDDEN)
            .text("username", HIDDEN)
            .build();

    private static final java.util.regex.Pattern BLANKS = java.util.regex.Pattern.compile("[ \t]+");

    private final Path systemCrontab;
    private final List<Path> systemDirs;
    private final List<Path> userDirs;

    public CrontabTable() {
        this(Path.of("/etc/crontab"), List.of(Path.of("/etc/cron.d")),
                List.of(Path.of("/var/spool/cron"), Path.of("/var/spool/cron/crontabs")));
    }

    CrontabTable(Path systemCrontab, List<Path> systemDirs, List<Path> userDirs) {
        this.systemCrontab = systemCrontab;
        this.systemDirs = systemDirs;
        this.userDirs = userDirs;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        parse(systemCrontab, true, rows);
        for (Path d : systemDirs) for (Path f : Dirs.regularFiles(d)) parse(f, true, rows);
        for (Path d : userDirs) for (Path f : Dirs.regularFiles(d)) parse(f, false, rows);
    }

    private static void parse(Path file, boolean system, RowSink rows) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException | SecurityException e) {
            return; // absent or unreadable: skipped
        }
        String owner = system ? null : file.getFileName().toString();
        for (String raw : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            Entry e = parseLine(raw, system);
            if (e == null) continue;
            rows.add().set("event", e.event).set("minute", e.fields[0]).set("hour", e.fields[1])
                    .set("day_of_month", e.fields[2]).set("month", e.fields[3]).set("day_of_week", e.fields[4])
                    .set("command", e.command).set("path", file.toString()).set("pid_with_namespace", 0)
                    .set("username", system ? e.user : owner);
        }
    }

    /** One job line. */
    static final class Entry {
        String event;
        final String[] fields = new String[5];
        String command;
        String user;
    }

    /** A job, or null for blank lines, comments, environment settings and lines without a command. */
    static Entry parseLine(String raw, boolean system) {
        String line = raw.strip();
        if (line.isEmpty() || line.charAt(0) == '#' || isEnvironment(line)) return null;
        String[] t = BLANKS.split(line);
        Entry e = new Entry();
        int cmd;
        if (t[0].charAt(0) == '@') {
            e.event = t[0];
            cmd = 1;
        } else {
            if (t.length < 6) return null;
            System.arraycopy(t, 0, e.fields, 0, 5);
            cmd = 5;
        }
        if (cmd >= t.length) return null;
        if (system && cmd + 1 < t.length) e.user = t[cmd];
        // osquery joins the remaining fields with single spaces
        e.command = String.join(" ", java.util.Arrays.copyOfRange(t, cmd, t.length));
        return e;
    }

    /** cron's NAME = VALUE lines (the name may be quoted). */
    static boolean isEnvironment(String line) {
        char c = line.charAt(0);
        if (c == '"' || c == '\'') return true;
        int i = 0;
        while (i < line.length() && line.charAt(i) != '=' && line.charAt(i) != ' ' && line.charAt(i) != '\t') i++;
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) i++;
        return i < line.length() && line.charAt(i) == '=' && i > 0 && line.charAt(0) != '=';
    }
}
