package io.hostql.tables.self;

import io.hostql.os.sysfs.SysFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** What this hostql process is: filled in by the shell or daemon, read by osquery_info. */
public final class AgentInfo {
    private static final long START_TIME = ProcessHandle.current().info().startInstant()
            .map(i -> i.getEpochSecond()).orElse(System.currentTimeMillis() / 1000);
    private static volatile String instanceId;
    private static volatile String configHash = "";
    private static volatile boolean configValid = false;
    private static volatile com.fasterxml.jackson.databind.JsonNode configJson;
    private static volatile long watcherPid = -1;

    private AgentInfo() {}

    public static long startTime() {
        return START_TIME;
    }

    /** Made on first use: a random UUID loads the security providers, which costs the shell's start-up. */
    public static synchronized String instanceId() {
        if (instanceId == null) instanceId = UUID.randomUUID().toString();
        return instanceId;
    }

    public static void setInstanceId(String id) {
        instanceId = id;
    }

    public static String configHash() {
        return configHash;
    }

    public static boolean configValid() {
        return configValid;
    }

    public static void setConfig(String hash, boolean valid) {
        configHash = hash;
        configValid = valid;
    }

    /** The running config and its JSON, whose top-level keys some tables read (prometheus_targets), as osquery's config parsers. */
    public static void setConfig(String hash, boolean valid, com.fasterxml.jackson.databind.JsonNode json) {
        configJson = json;
        setConfig(hash, valid);
    }

    /** A top-level key of the running config, or null (none loaded, as in a shell, or key absent). */
    public static com.fasterxml.jackson.databind.JsonNode configKey(String key) {
        com.fasterxml.jackson.databind.JsonNode j = configJson;
        return j == null ? null : j.get(key);
    }

    public static long watcherPid() {
        return watcherPid;
    }

    public static void setWatcherPid(long pid) {
        watcherPid = pid;
    }

    /** The host's hardware UUID (SMBIOS), falling back to /etc/machine-id as a UUID when DMI is unreadable. */
    public static String hostUuid() {
        for (String p : new String[] {"/sys/class/dmi/id/product_uuid", "/sys/devices/virtual/dmi/id/product_uuid"}) {
            String s = SysFiles.read(Path.of(p)); // null when not readable off root, or no DMI: fall through
            if (s != null) return s.toUpperCase(java.util.Locale.ROOT);
        }
        try {
            String m = Files.readString(Path.of("/etc/machine-id")).strip();
            if (m.length() == 32) {
                return (m.substring(0, 8) + "-" + m.substring(8, 12) + "-" + m.substring(12, 16) + "-"
                        + m.substring(16, 20) + "-" + m.substring(20)).toUpperCase(java.util.Locale.ROOT);
            }
        } catch (Exception ignored) {
            // no machine-id either
        }
        return "";
    }
}
