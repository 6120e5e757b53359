package io.hostql.subscribers.fim;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.Clock;
import io.hostql.events.FileEvent;
import io.hostql.events.Journal;
import io.hostql.events.LossEvent;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.sql.QueryResult;
import io.hostql.subscribers.LossSubscriber;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FimSubscriberTest {
    @TempDir
    Path dir;

    static FileEvent ev(int mask, byte[] path, int flags) {
        return new FileEvent(Clock.nowNanos(), mask, 0, path, "tmp", flags);
    }

    static byte[] bytes(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    static void waitFor(BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("condition not met within 5 s");
            Thread.sleep(20);
        }
    }

    static long count(EventStore s, String table) {
        return (Long) s.query("SELECT count(*) FROM " + table).rows().get(0)[0];
    }

    @Test
    void rowsCarryStatAndHashesLikeOsquery() throws Exception {
        Path file = Files.writeString(dir.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
        Path fifo = dir.resolve("fifo");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        try (Journal j = Journal.open(dir.resolve("journal"));
                EventStore s = EventStore.open(dir.resolve("events.db"), EventedTables.all());
                FimSubscriber fim = new FimSubscriber(j, s, 50L << 20)) {
            j.append(ev(FileEvent.IN_CREATE, bytes(file), 0));
            j.append(ev(FileEvent.IN_CLOSE_WRITE, bytes(file), 0));
            j.append(ev(FileEvent.IN_ATTRIB, bytes(file), 0));
            j.append(ev(FileEvent.IN_CLOSE_WRITE, bytes(fifo), 0));
            j.append(ev(FileEvent.IN_CLOSE_WRITE, bytes(file), FileEvent.ACCESS_CATEGORY));
            j.append(ev(FileEvent.IN_DELETE, bytes(dir.resolve("gone")), 0));
            j.append(ev(FileEvent.IN_CLOSE_NOWRITE, bytes(file), 0)); // not an osquery action: no row
            fim.start();
            waitFor(() -> count(s, "file_events") == 6);
            QueryResult r = s.query("SELECT action, md5, sha1, sha256, hashed, inode, mode, size, eid FROM file_events ORDER BY eid");
            String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
            String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(file)));
            Object[] created = r.rows().get(0);
            assertThat(created[0]).isEqualTo("CREATED");
            assertThat(created[1]).isEqualTo(md5);
            assertThat(created[3]).isEqualTo(sha256);
            assertThat(created[4]).isEqualTo(1L);
            assertThat(created[5]).isEqualTo(Files.getAttribute(file, "unix:ino"));
            assertThat(created[6]).isEqualTo(String.format("%04o", (Integer) Files.getAttribute(file, "unix:mode") & 07777));
            assertThat(created[8]).isEqualTo("0000000001");
            assertThat(r.rows().get(1)[0]).isEqualTo("UPDATED");
            assertThat(r.rows().get(2)).containsSequence("ATTRIBUTES_MODIFIED", null, null, null, 0L);
            assertThat(r.rows().get(3)[4]).as("a FIFO is never read").isEqualTo(0L);
            assertThat(r.rows().get(4)[4]).as("access-monitored categories are not hashed").isEqualTo(0L);
            assertThat(r.rows().get(5)).containsSequence("DELETED", null, null, null, 0L, null);
        }
    }

    @Test
    void nonUtf8PathsAreStoredAsTheirBytes() throws Exception {
        byte[] name = {'/', 'x', (byte) 0xff, (byte) 0xfe};
        byte[] path = new byte[bytes(dir).length + name.length];
        System.arraycopy(bytes(dir), 0, path, 0, bytes(dir).length);
        System.arraycopy(name, 0, path, bytes(dir).length, name.length);
        try (Journal j = Journal.open(dir.resolve("journal"));
                EventStore s = EventStore.open(dir.resolve("events.db"), EventedTables.all());
                FimSubscriber fim = new FimSubscriber(j, s, 50L << 20)) {
            j.append(ev(FileEvent.IN_DELETE, path, 0));
            fim.start();
            waitFor(() -> count(s, "file_events") == 1);
            assertThat(s.query("SELECT typeof(target_path), hex(target_path) FROM file_events").rows().get(0))
                    .containsExactly("text", HexFormat.of().withUpperCase().formatHex(path));
        }
    }

    @Test
    void restartsNeitherLoseNorDuplicate() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        try (Journal j = Journal.open(dir.resolve("journal"));
                EventStore s = EventStore.open(dir.resolve("events.db"), EventedTables.all())) {
            for (int round = 0; round < 3; round++) {
                try (FimSubscriber fim = new FimSubscriber(j, s, 50L << 20)) {
                    for (int i = 0; i < 100; i++) j.append(ev(FileEvent.IN_ATTRIB, bytes(file), 0));
                    fim.start();
                    int expected = 100 * (round + 1);
                    waitFor(() -> count(s, "file_events") == expected);
                }
            }
            assertThat(s.query("SELECT count(DISTINCT eid), max(eid) FROM file_events").rows().get(0)).containsExactly(300L, "0000000300");
        }
    }

    @Test
    void lossesBecomeRows() throws Exception {
        try (Journal j = Journal.open(dir.resolve("journal"));
                EventStore s = EventStore.open(dir.resolve("events.db"), EventedTables.all());
                LossSubscriber losses = new LossSubscriber(j, s)) {
            j.append(new LossEvent(Clock.nowNanos(), "inotify", -1, "IN_Q_OVERFLOW"));
            losses.start();
            waitFor(() -> count(s, "hostql_event_losses") == 1);
            assertThat(s.query("SELECT source, count, estimate, reason FROM hostql_event_losses").rows().get(0))
                    .as("an unknown count is NULL and an estimate, never -1").containsExactly("inotify", null, 1L, "IN_Q_OVERFLOW");
        }
    }
}
