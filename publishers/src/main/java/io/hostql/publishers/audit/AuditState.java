package io.hostql.publishers.audit;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * What the kernel's audit settings were before hostqld changed them, and what it changed: written
 * (and synced) before the first change, removed once everything is put back. A file left behind means
 * hostqld died without restoring; the next start restores from it first.
 */
record AuditState(long hostqldPid, String mode, int enabled, int backlogLimit, int backlogWaitTime, Set<Change> changed,
        List<AuditRule> rules) {
    enum Change { ENABLED, BACKLOG, PID }

    static AuditState read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            Set<Change> changed = EnumSet.noneOf(Change.class);
            for (String c : p.getProperty("changed", "").split(",")) if (!c.isBlank()) changed.add(Change.valueOf(c.strip()));
            List<AuditRule> rules = new ArrayList<>();
            for (int i = 0; p.containsKey("rule." + i); i++) rules.add(AuditRule.fromBase64(p.getProperty("rule." + i)));
            return new AuditState(Long.parseLong(p.getProperty("hostqld_pid", "0")), p.getProperty("mode", "?"),
                    Integer.parseInt(p.getProperty("enabled", "0")), Integer.parseInt(p.getProperty("backlog_limit", "0")),
                    Integer.parseInt(p.getProperty("backlog_wait_time", "0")), changed, rules);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": damaged audit state file: " + e.getMessage(), e);
        }
    }

    void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("hostqld_pid", Long.toString(hostqldPid));
        p.setProperty("mode", mode);
        p.setProperty("enabled", Integer.toString(enabled));
        p.setProperty("backlog_limit", Integer.toString(backlogLimit));
        p.setProperty("backlog_wait_time", Integer.toString(backlogWaitTime));
        p.setProperty("changed", String.join(",", changed.stream().map(Enum::name).toList()));
        for (int i = 0; i < rules.size(); i++) p.setProperty("rule." + i, rules.get(i).base64());
        StringWriter w = new StringWriter();
        p.store(w, "hostqld: the kernel audit settings found at start and what hostqld changed; restored on stop, or on the next start after a crash");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(w.toString().getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // some filesystems cannot sync a directory; the rename is still atomic
        }
    }
}
