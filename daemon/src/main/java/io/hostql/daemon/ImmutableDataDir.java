package io.hostql.daemon;

import io.hostql.os.Libc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds a data dir made immutable or append-only ({@code chattr +i}, {@code +a}) under hostqld.
 *
 * <p>Why hostqld stops instead of running degraded: the journal and SQLite's {@code -shm} file are written
 * through mmap, and on ext4 a mapped write to an immutable file is a SIGBUS that kills the JVM (with an
 * hs_err file and a stale pidfile), a chance it must not take. An immutable data dir is an administrator's
 * act, not a passing fault like a full disk, so hostqld says so in one line and exits non-zero (systemd
 * restarts it, and the start refuses with the same line until the flag is removed). Looked at every
 * second: one statx per file written (the data dir's files, the journal's newest cycle and its metadata), and
 * ext4 faults only once a written page has been cleaned by writeback. A directory is listed again only when its
 * modification time changed (its statx gives it, with its own flags).
 */
final class ImmutableDataDir {
    private final Path data, journal;
    /** Each directory's files to look at, as listed at its modification time. */
    private final Map<Path, Listing> listings = new HashMap<>();

    private record Listing(long mtimeSeconds, long mtimeNanos, long listedAtMillis, List<Path> files) {}

    ImmutableDataDir(Path data) {
        this.data = data;
        this.journal = data.resolve("journal");
    }

    /** Once, at start: {@link #problem()} of a new instance. */
    static String problem(Path data) {
        return new ImmutableDataDir(data).problem();
    }

    /** The first of the data dir, its journal dir and the files in them that is immutable or append-only, said in one line; or null. */
    String problem() {
        List<Path> dirs = List.of(data, journal);
        List<ByteBuffer> dirStats = new ArrayList<>();
        for (Path dir : dirs) {
            ByteBuffer st = statx(dir);
            String problem = problem(dir, st);
            if (problem != null) return problem;
            dirStats.add(st);
        }
        for (int i = 0; i < dirs.size(); i++) {
            if (dirStats.get(i) == null) continue; // a dir not made yet has no files
            for (Path p : files(dirs.get(i), dirStats.get(i))) {
                String problem = problem(p, statx(p));
                if (problem != null) return problem;
            }
        }
        return null;
    }

    /**
     * The dir's files to look at: listed again when its modification time changed, or when the last listing was made
     * within a second of that time (a file created in the same clock tick leaves the time as it was).
     */
    private List<Path> files(Path dir, ByteBuffer st) {
        long sec = st.getLong(Libc.STX_MTIME), nsec = st.getInt(Libc.STX_MTIME + 8) & 0xffffffffL;
        Listing l = listings.get(dir);
        if (l != null && l.mtimeSeconds() == sec && l.mtimeNanos() == nsec && l.listedAtMillis() / 1000 > sec + 1) return l.files();
        long listedAt = System.currentTimeMillis();
        List<Path> files = list(dir);
        listings.put(dir, new Listing(sec, nsec, listedAt, files));
        return files;
    }

    private static List<Path> list(Path dir) {
        List<Path> paths = new ArrayList<>();
        Path newestCycle = null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
                // Of the journal's cycle files only the newest is written; the older ones (hours of them) are
                // not looked at every second.
                if (p.getFileName().toString().endsWith(".cq4")) {
                    if (newestCycle == null || p.getFileName().toString().compareTo(newestCycle.getFileName().toString()) > 0) newestCycle = p;
                } else {
                    paths.add(p);
                }
            }
        } catch (IOException e) {
            // a dir not made yet has no flags
        }
        if (newestCycle != null) paths.add(newestCycle);
        return List.copyOf(paths);
    }

    /** The line that says the file is immutable or append-only; null when it is neither, or its flags cannot be read (st null). */
    private static String problem(Path p, ByteBuffer st) {
        long flags = st == null ? 0 : st.getLong(Libc.STX_ATTRIBUTES);
        if ((flags & (Libc.STATX_ATTR_IMMUTABLE | Libc.STATX_ATTR_APPEND)) == 0) return null;
        return p + " is " + ((flags & Libc.STATX_ATTR_IMMUTABLE) != 0 ? "immutable (chattr +i)" : "append-only (chattr +a)")
                + ": hostqld cannot write its data dir safely and stops; remove the flag (chattr -i -a) and start it again";
    }

    /**
     * The file's statx, or null when it cannot be read. statx, not open and an ioctl: closing any
     * descriptor of a file drops the process's fcntl locks on it, hostqld.lock's instance lock among them.
     */
    private static ByteBuffer statx(Path p) {
        byte[] buf = new byte[Libc.STATX_SIZE];
        if (Libc.statx(Libc.AT_FDCWD, Libc.cPath(p), Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, buf) != 0) return null;
        return ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
    }
}
