package io.hostql.subscribers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.Clock;
import io.hostql.events.Journal;
import io.hostql.events.ProcessEvent;
import io.hostql.events.SocketEvent;
import io.hostql.events.UserEvent;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.sql.QueryResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit subscribers' rows, column by column, from journal records made here (no kernel audit): every
 * column each subscriber fills lands under its name in events.db.
 */
class AuditRowsTest {
    /** Above any pid_max: no /proc entry, so no cgroup and no parent from the running system. */
    static final int PARENT = 4_194_399, PID = 4_194_400, CHILD = 4_194_401;

    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static long bootTime() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) if (line.startsWith("btime ")) return Long.parseLong(line.substring(6).strip());
        return 0;
    }

    /** The table's rows (waiting until there are n) by column name, in eid order. */
    static List<Map<String, Object>> rows(EventStore s, String table, int n) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        QueryResult r;
        while ((r = s.query("SELECT * FROM " + table + " ORDER BY eid")).rows().size() < n && System.nanoTime() < end) Thread.sleep(20);
        assertThat(r.rows()).as(table).hasSize(n);
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (Object[] row : r.rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < r.columns().size(); i++) m.put(r.columns().get(i), row[i]);
            out.add(m);
        }
        return out;
    }

    @Test
    void processSocketAndUserRowsHaveEveryColumnByName() throws Exception {
        long now = Clock.nowNanos(), millis = System.currentTimeMillis(), boot = bootTime();
        Path exe = Path.of("/bin/sh");
        PosixFileAttributes st = Files.readAttributes(exe, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        try (Journal j = Journal.open(dir.resolve("journal"));
                EventStore s = EventStore.open(dir.resolve("events.db"), EventedTables.all());
                ProcessEventsSubscriber processes = new ProcessEventsSubscriber(j, s);
                SocketEventsSubscriber sockets = new SocketEventsSubscriber(j, s, new SocketEventsSubscriber.Options(false, false, false));
                UserEventsSubscriber users = new UserEventsSubscriber(j, s)) {
            j.append(new ProcessEvent(now, millis, 77, "execve", true, 0, PID, PARENT, 1000, 1001, 1002, 1003, 1004, 2001, 2002, 2003, 2004, 5,
                    b("/bin/sh"), b("sh"), b("/tmp"), new byte[][] {b("sh"), b("-c"), b("true")}, 3, 0100755, 0, 0, 0));
            j.append(new ProcessEvent(now, millis + 1, 78, "execveat", true, 0, CHILD, PID, 1000, 1001, 1001, 1001, 1001, 2001, 2001, 2001, 2001,
                    5, b("/nonexistent/bin/child"), b("child"), b("/"), new byte[][] {b("child")}, 1, -1, -1, -1, 0));
            byte[] sockaddr = {2, 0, 0x1f, (byte) 0x90, 10, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0};
            j.append(new SocketEvent(now, millis, 79, "connect", true, 0, PID, 1, 1000, 1001, 1001, 2001, 2001, b("/usr/bin/curl"), b("curl"),
                    3, sockaddr, 0));
            j.append(new UserEvent(now, millis, 80, 1112, PID, 0, 1000, 5, b("op=login acct=\"root\" res=success"), b("/usr/sbin/sshd"),
                    "10.0.0.9", "ssh"));
            processes.start();
            sockets.start();
            users.start();
            long seconds = now / 1_000_000_000L, uptime = Math.max(0, millis / 1000 - boot);

            List<Map<String, Object>> processRows = rows(s, "process_events", 2);
            Map<String, Object> child = processRows.get(1);
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put("pid", (long) CHILD);
            expected.put("path", "/nonexistent/bin/child");
            expected.put("mode", "");
            expected.put("cmdline", "child");
            expected.put("cmdline_size", 5L);
            expected.put("env", "");
            expected.put("env_count", 0L);
            expected.put("env_size", 0L);
            expected.put("cwd", "/");
            expected.put("auid", 1000L);
            expected.put("uid", 1001L);
            expected.put("euid", 1001L);
            expected.put("gid", 2001L);
            expected.put("egid", 2001L);
            expected.put("owner_uid", 0L);
            expected.put("owner_gid", 0L);
            expected.put("atime", 0L);
            expected.put("mtime", 0L);
            expected.put("ctime", 0L);
            expected.put("btime", 0L);
            expected.put("overflows", "");
            expected.put("parent", (long) PID);
            expected.put("time", seconds);
            expected.put("uptime", Math.max(0, (millis + 1) / 1000 - boot));
            expected.put("eid", "0000000002");
            expected.put("fsuid", 1001L);
            expected.put("suid", 1001L);
            expected.put("fsgid", 2001L);
            expected.put("sgid", 2001L);
            expected.put("syscall", "execveat");
            expected.put("status", null); // osquery's darwin-only column: NULL on Linux
            expected.put("parent_path", "/bin/sh");
            expected.put("parent_cmdline", "sh -c true");
            expected.put("cgroup_path", null);
            expected.put("container_id", null);
            expected.put("event_time_ms", millis + 1);
            expected.put("audit_serial", 78L);
            assertThat(child).containsExactlyEntriesOf(expected);
            Map<String, Object> parent = processRows.get(0);
            assertThat(parent).containsEntry("mode", "0100755").containsEntry("cmdline", "sh -c true").containsEntry("cmdline_size", 10L)
                    .containsEntry("auid", 1000L).containsEntry("uid", 1001L).containsEntry("euid", 1002L).containsEntry("suid", 1003L)
                    .containsEntry("fsuid", 1004L).containsEntry("gid", 2001L).containsEntry("egid", 2002L).containsEntry("sgid", 2003L)
                    .containsEntry("fsgid", 2004L)
                    .containsEntry("mtime", st.lastModifiedTime().toMillis() / 1000).containsEntry("cwd", "/tmp").containsEntry("parent", (long) PARENT)
                    .containsEntry("parent_path", null).containsEntry("cgroup_path", null);

            assertThat(rows(s, "socket_events", 1).get(0)).containsExactly(Map.entry("action", "connect"), Map.entry("pid", (long) PID),
                    Map.entry("path", "/usr/bin/curl"), Map.entry("fd", "3"), Map.entry("auid", 1000L), Map.entry("family", 2L),
                    Map.entry("protocol", 0L), Map.entry("local_address", ""), Map.entry("remote_address", "10.0.0.7"), Map.entry("local_port", 0L),
                    Map.entry("remote_port", 8080L), Map.entry("socket", ""), Map.entry("time", seconds), Map.entry("uptime", uptime),
                    Map.entry("eid", "0000000001"), Map.entry("success", 1L), Map.entry("status", "succeeded"), Map.entry("uid", 1001L),
                    Map.entry("event_time_ms", millis), Map.entry("audit_serial", 79L));

            assertThat(rows(s, "user_events", 1).get(0)).containsExactly(Map.entry("uid", 0L), Map.entry("auid", 1000L), Map.entry("pid", (long) PID),
                    Map.entry("message", "op=login acct=\"root\" res=success"), Map.entry("type", 1112L), Map.entry("path", "/usr/sbin/sshd"),
                    Map.entry("address", "10.0.0.9"), Map.entry("terminal", "ssh"), Map.entry("time", seconds), Map.entry("uptime", uptime),
                    Map.entry("eid", "0000000001"), Map.entry("event_time_ms", millis), Map.entry("audit_serial", 80L));
        }
    }
}
