package io.hostql.tables.security;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * carbon_black_info (alias cb_info): the Carbon Black EDR sensor's settings, from the files its
 * Linux sensor keeps in /var/lib/cb: sensor.id (the id in its last hex digits, as osquery reads
 * it), sensorsettings.ini ([CB] section) and the sizes of its queued binaries and events. One row
 * when /var/lib/cb exists, none otherwise (osquery gives an empty row; hostql follows the rule
 * that an absent source has no rows). Settings the Linux sensor does not write are 0, as in osquery.
 */
public final class CarbonBlackInfoTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("carbon_black_info",
                    "Returns info about a Carbon Black sensor install.")
            .integer("sensor_id").text("config_name").integer("collect_store_files").integer("collect_module_loads")
            .integer("collect_module_info").integer("collect_file_mods").integer("collect_reg_mods")
            .integer("collect_net_conns").integer("collect_processes").integer("collect_cross_processes")
            .integer("collect_emet_events").integer("collect_data_file_writes").integer("collect_process_user_context")
            .integer("collect_sensor_operations").integer("log_file_disk_quota_mb").integer("log_file_disk_quota_percentage")
            .integer("protection_disabled").text("sensor_ip_addr").text("sensor_backend_server").integer("event_queue")
            .integer("binary_queue")
            .build();

    /** Column, and the sensorsettings.ini key (in [CB]) osquery reads it from. */
    private static final String[][] SETTINGS = {
            {"collect_store_files", "CollectStoreFiles"}, {"collect_module_loads", "CollectModuleLoads"},
            {"collect_module_info", "CollectModuleInfo"}, {"collect_file_mods", "CollectFileMods"},
            {"collect_reg_mods", "CollectRegMods"}, {"collect_net_conns", "CollectNetConns"},
            {"collect_processes", "CollectProcesses"}, {"collect_cross_processes", "CollectCrossProcess"},
            {"collect_emet_events", "CollectEmetEvents"}};
    /** Written by the Windows sensor only: 0 on Linux, as osquery sets them. */
    private static final String[] WINDOWS_ONLY = {"collect_data_file_writes", "collect_sensor_operations",
            "log_file_disk_quota_mb", "log_file_disk_quota_percentage", "protection_disabled", "collect_process_user_context"};

    static final Path CB_DIR = Path.of("/var/lib/cb");
    static final long MAX_SETTINGS = 1 << 20;

    private final Path dir;

    public CarbonBlackInfoTable() {
        this(CB_DIR);
    }

    /** dir: read instead of /var/lib/cb (tests). */
    CarbonBlackInfoTable(Path dir) {
        this.dir = dir;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        if (!Files.isDirectory(dir)) return;
        RowSink.Row r = rows.add();
        Long id = sensorId(dir.resolve("sensor.id"));
        if (id != null) r.set("sensor_id", id);
        Map<String, String> cb = iniSection(dir.resolve("sensorsettings.ini"), "CB");
        if (cb != null) {
            r.set("config_name", cb.get("ConfigName"));
            for (String[] s : SETTINGS) r.set(s[0], integer(cb.get(s[1])));
            String server = cb.get("SensorBackendServer");
            r.set("sensor_backend_server", server == null ? null : server.replace("%3A", ":"));
            for (String c : WINDOWS_ONLY) r.set(c, 0);
            r.set("sensor_ip_addr", "");
        }
        long[] queues = queues(dir);
        if (queues != null) r.set("binary_queue", queues[0]).set("event_queue", queues[1]);
    }

    /** osquery: a 16-byte sensor.id whose characters from the 12th on are the id in hex. */
    static Long sensorId(Path f) {
        try {
            if (!Files.isRegularFile(f) || Files.size(f) != 16) return null;
            String s = Files.readString(f, StandardCharsets.ISO_8859_1).substring(11);
            int end = 0;
            while (end < s.length() && Character.digit(s.charAt(end), 16) >= 0) end++;
            return end == 0 ? null : Long.parseLong(s.substring(0, end), 16);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The keys of one [section] of an INI file (boost's ini_parser syntax: key=value, ';' and '#' comments). */
    static Map<String, String> iniSection(Path f, String section) {
        String text;
        try {
            if (!Files.isRegularFile(f) || Files.size(f) > MAX_SETTINGS) return null;
            text = Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        Map<String, String> out = new HashMap<>();
        String current = "";
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith(";") || line.startsWith("#")) continue;
            if (line.startsWith("[") && line.endsWith("]")) {
                current = line.substring(1, line.length() - 1).strip();
                continue;
            }
            int eq = line.indexOf('=');
            if (eq > 0 && current.equals(section)) out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return out;
    }

    private static Long integer(String s) {
        if (s == null) return null;
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0L; // osquery's INTEGER() of a non-number
        }
    }

    /** Bytes of queued binaries (filedata, metadata, data, info.txt) and events (events.*, active-event.log, eventlog_*). */
    static long[] queues(Path dir) {
        long[] out = new long[2];
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (!attrs.isRegularFile()) return FileVisitResult.CONTINUE;
                    String name = file.getFileName().toString();
                    if (name.equals("filedata") || name.equals("metadata") || name.equals("data") || name.equals("info.txt")) {
                        out[0] += attrs.size();
                    }
                    String stem = name.lastIndexOf('.') > 0 ? name.substring(0, name.lastIndexOf('.')) : name;
                    if (stem.equals("events") || name.equals("active-event.log") || name.toLowerCase(Locale.ROOT).startsWith("eventlog_")) {
                        out[1] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return null;
        }
        return out;
    }
}
