package io.hostql.bench;

import io.hostql.events.FileEvent;
import io.hostql.events.HardwareEvent;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.LossEvent;
import io.hostql.events.ProcessEvent;
import io.hostql.events.SocketEvent;
import io.hostql.events.SystemEvent;
import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.table.TableRegistry;
import io.hostql.subscribers.audit.SocketEventsSubscriber;
import io.hostql.subscribers.hardware.HardwareSubscriber;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The soak's end check, on a stopped hostqld's data dir: every journal record that its subscriber turns
 * into a row is in its table exactly once, and nothing else is there. Records and rows meet by the key the
 * subscribers write: file_events (target_path, action, transaction_id, time), process_events and
 * socket_events (event_time_ms, audit_serial), hardware_events (seqnum; devpath, action and time for a
 * synthetic one), hostql_event_losses (capture_time_ns, source, count). Which records make rows is the
 * subscribers' own decision (FileEvent.action, a successful exec, SocketEventsSubscriber.row and
 * HardwareSubscriber.row with the daemon's default flags).
 *
 * <p>The journal is read from a copy, since opening a journal appends to it. Standalone:
 * {@code java -cp ... io.hostql.bench.SoakCheck <data-dir> <scratch-dir>}.
 */
final class SoakCheck {
    static final String[] TABLES = {"file_events", "process_events", "socket_events", "hardware_events", "hostql_event_losses"};

    /** What the journal held: per table, each row key and how many records make it; plus what the soak's gap check needs. */
    static final class JournalScan {
        final Map<String, Map<String, Integer>> expected = new LinkedHashMap<>();
        final Map<String, Long> recordsByType = new LinkedHashMap<>();
        final List<JournalEntry> files = new ArrayList<>(), processes = new ArrayList<>(), sockets = new ArrayList<>();
        /** Hardware records from the kernel, in journal order, split by the "journal opened" marker of each hostqld start. */
        final List<List<HardwareEvent>> ueventsByRun = new ArrayList<>();
        final List<LossEvent> losses = new ArrayList<>();
        /** Damage the reader's open found in the journal hostqld left (its recovery messages). */
        final List<String> foundAtOpen = new ArrayList<>();
        /** Why reading stopped before the journal's end, or null. */
        String readError;
        long records;

        JournalScan() {
            for (String t : TABLES) expected.put(t, new HashMap<>());
            ueventsByRun.add(new ArrayList<>());
        }
    }

    /** Per table: rows expected from the journal, rows found, and the differences. */
    record TableResult(String table, long expectedRows, long rows, long missing, long duplicated, long withoutRecord, List<String> examples) {
        boolean exact() {
            return missing == 0 && duplicated == 0 && withoutRecord == 0;
        }
    }

    private SoakCheck() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: SoakCheck <data-dir> <scratch-dir>");
            System.exit(2);
        }
        JournalScan scan = scan(Path.of(args[0]), Path.of(args[1]));
        for (TableResult r : compare(scan, Path.of(args[0]).resolve("events.db"))) System.out.println(r);
    }

    /** Copies the journal to scratch and reads it to its end with hostql's Journal reader. */
    static JournalScan scan(Path dataDir, Path scratch) throws Exception {
        Path copy = scratch.resolve("journal-copy");
        copyTree(dataDir.resolve("journal"), copy);
        JournalScan s = new JournalScan();
        SocketEventsSubscriber sockets = new SocketEventsSubscriber(null, null, new SocketEventsSubscriber.Options(false, false, false));
        HardwareSubscriber hardware = new HardwareSubscriber(null, null, "partition");
        long openedMarkers = 0;
        // What hostqld cannot read (a journal written while the disk was full, say), this reader may not either: that is reported.
        try (Journal j = Journal.open(copy); Journal.Reader r = j.reader()) {
            // Opening recovers a damaged tail and appends loss records for it: the copy's own, not hostqld's.
            java.util.Set<Long> ownRecoveries = new java.util.HashSet<>();
            for (LossEvent l : j.recoveries()) {
                ownRecoveries.add(l.captureNanos());
                s.foundAtOpen.add(l.reason());
            }
            long idleSince = System.nanoTime();
            while (true) {
                JournalEntry e = r.next();
                if (e == null) {
                    // The reader skips a damaged stretch only after 2 s of no progress: wait past that before calling it the end.
                    if (System.nanoTime() - idleSince > 4_000_000_000L) break;
                    Thread.sleep(50);
                    continue;
                }
                idleSince = System.nanoTime();
                if (e.event() instanceof io.hostql.events.AuditRecordsEvent raw) { // audit journals raw records: decoded as its subscribers do
                    java.util.List<io.hostql.events.Event> typed = io.hostql.publishers.audit.AuditDecoder.decode(raw);
                    if (!typed.isEmpty()) e = new JournalEntry(e.index(), typed.get(0));
                }
                if (e.event() instanceof LossEvent l && ownRecoveries.contains(l.captureNanos())) continue;
                s.records++;
                s.recordsByType.merge(e.event().type().name(), 1L, Long::sum);
                // Java 17: no pattern switch.
                if (e.event() instanceof FileEvent f) {
                    s.files.add(e);
                    if (f.action() != null) count(s, "file_events", fileKey(f.path(), f.action(), (long) f.cookie() & 0xffffffffL, f.captureNanos() / 1_000_000_000L));
                } else if (e.event() instanceof ProcessEvent p) {
                    s.processes.add(e);
                    if (p.success()) count(s, "process_events", auditKey(p.kernelMillis(), p.serial())); // ProcessEventsSubscriber: failed execs make no row
                } else if (e.event() instanceof SocketEvent so) {
                    s.sockets.add(e);
                    if (sockets.row(so) != null) count(s, "socket_events", auditKey(so.kernelMillis(), so.serial()));
                } else if (e.event() instanceof HardwareEvent h) {
                    if (!h.synthetic()) s.ueventsByRun.get(s.ueventsByRun.size() - 1).add(h);
                    if (hardware.row(h) != null) count(s, "hardware_events", hardwareKey(h.synthetic() ? -1 : h.seqnum(), h.devpath(), h.action(), h.captureNanos() / 1_000_000_000L));
                } else if (e.event() instanceof LossEvent l) {
                    s.losses.add(l);
                    count(s, "hostql_event_losses", lossKey(l.captureNanos(), l.source(), l.count(), l.reason()));
                } else if (e.event() instanceof SystemEvent m && m.message().startsWith("journal opened by pid ") && openedMarkers++ > 0) {
                    // Each hostqld start marks the journal (the copy's own marker, last, opens an empty run).
                    s.ueventsByRun.add(new ArrayList<>());
                }
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            s.readError = e.toString();
        }
        return s;
    }

    /** The tables in events.db against the journal's expected rows. */
    static List<TableResult> compare(JournalScan scan, Path eventsDb) {
        List<TableResult> out = new ArrayList<>();
        try (Database db = Database.open(new TableRegistry())) {
            try {
                db.attachReadOnly(eventsDb, "events");
            } catch (RuntimeException e) {
                for (String t : TABLES) out.add(new TableResult(t, -1, -1, -1, -1, -1, List.of("cannot open events.db: " + e.getMessage())));
                return out;
            }
            out.add(compare(db, scan, "file_events", "target_path, action, transaction_id, time",
                    row -> fileKey(bytes(row[0]), (String) row[1], (Long) row[2], (Long) row[3])));
            out.add(compare(db, scan, "process_events", "event_time_ms, audit_serial", row -> auditKey((Long) row[0], (Long) row[1])));
            out.add(compare(db, scan, "socket_events", "event_time_ms, audit_serial", row -> auditKey((Long) row[0], (Long) row[1])));
            out.add(compare(db, scan, "hardware_events", "coalesce(seqnum, -1), devpath, action, time, synthetic",
                    row -> hardwareKey(((Long) row[4]) == 1 ? -1 : (Long) row[0], (String) row[1], (String) row[2], (Long) row[3])));
            out.add(compare(db, scan, "hostql_event_losses", "capture_time_ns, source, count, reason",
                    row -> lossKey((Long) row[0], (String) row[1], (Long) row[2], (String) row[3])));
        }
        return out;
    }

    private static TableResult compare(Database db, JournalScan scan, String table, String columns, java.util.function.Function<Object[], String> key) {
        try {
            return compareOrFail(db, scan, table, columns, key);
        } catch (RuntimeException e) {
            return new TableResult(table, -1, -1, -1, -1, -1, List.of("cannot read the table: " + e.getMessage()));
        }
    }

    private static TableResult compareOrFail(Database db, JournalScan scan, String table, String columns, java.util.function.Function<Object[], String> key) {
        Map<String, Integer> found = new HashMap<>();
        long rows = 0, last = 0;
        // Paged by rowid: a soak's tables hold a million rows.
        while (true) {
            QueryResult r = db.query("SELECT rowid, " + columns + " FROM " + table + " WHERE rowid > ? ORDER BY rowid LIMIT 50000", last);
            if (r.rows().isEmpty()) break;
            for (Object[] row : r.rows()) {
                last = (Long) row[0];
                found.merge(key.apply(java.util.Arrays.copyOfRange(row, 1, row.length)), 1, Integer::sum);
                rows++;
            }
        }
        Map<String, Integer> expected = scan.expected.get(table);
        long missing = 0, duplicated = 0, without = 0, expectedRows = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            expectedRows += e.getValue();
            int f = found.getOrDefault(e.getKey(), 0);
            if (f < e.getValue()) {
                missing += e.getValue() - f;
                if (examples.size() < 5) examples.add("missing: " + e.getKey());
            } else if (f > e.getValue()) {
                duplicated += f - e.getValue();
                if (examples.size() < 5) examples.add("duplicated: " + e.getKey() + " (" + f + " rows, " + e.getValue() + " records)");
            }
        }
        for (Map.Entry<String, Integer> e : found.entrySet()) {
            if (!expected.containsKey(e.getKey())) {
                without += e.getValue();
                if (examples.size() < 5) examples.add("no journal record: " + e.getKey());
            }
        }
        return new TableResult(table, expectedRows, rows, missing, duplicated, without, examples);
    }

    private static void count(JournalScan s, String table, String key) {
        s.expected.get(table).merge(key, 1, Integer::sum);
    }

    /** Paths are bytes (not necessarily UTF-8): keyed one char per byte. */
    static String fileKey(byte[] path, String action, long cookie, long seconds) {
        return new String(path, StandardCharsets.ISO_8859_1) + "|" + action + "|" + cookie + "|" + seconds;
    }

    /**
     * A loss record by its capture time; but damage a journal reader finds (a record failing its checksum, a hole)
     * is no record in the journal: each reader reports it when it gets there, at its own time. Those meet by reason.
     */
    static String lossKey(long captureNanos, String source, long count, String reason) {
        boolean foundByReader = source.equals("journal") && reason != null
                && (reason.startsWith("journal record at index ") || reason.startsWith("journal cycle "));
        return foundByReader ? "loss|found by a reader|" + count + "|" + reason : "loss|" + captureNanos + "|" + source + "|" + count;
    }

    static String auditKey(long kernelMillis, long serial) {
        return kernelMillis + "|" + serial;
    }

    static String hardwareKey(long seqnum, String devpath, String action, long seconds) {
        return seqnum >= 0 ? Long.toString(seqnum) : "synthetic|" + devpath + "|" + action + "|" + seconds;
    }

    static byte[] bytes(Object v) {
        return v instanceof byte[] b ? b : String.valueOf(v).getBytes(StandardCharsets.UTF_8);
    }

    static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
