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
 * restarts it, and the start refuses with the same line until the flag is removed). Looked at every 2
 * seconds: one statx per file written (the data dir's files, the journal's newest cycle and its metadata), and
 * ext4 faults only once a written page has been cleaned by writeback. A directory is listed again only when its
 * modification time changed (its statx gives it, with its own flags).
 */
final class ImmutableDataDir {
    /** Each directory's files to look at, as listed at its modification time. */
    private final Map<Path, Listing> listings = new HashMap<>();

    private record Listing(long mtimeSeconds, long mtimeNanos, long listedAtMillis, List<Path> files, List<byte[]> cPaths) {}

    /** The data dir and its journal dir, their paths as statx takes them, and one statx buffer: no path is converted at each pass. */
    private final List<Path> dirs;
    private final List<byte[]> dirCPaths;
    private final ByteBuffer stat = ByteBuffer.allocate(Libc.STATX_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    ImmutableDataDir(Path data) {
        this.dirs = List.of(data, data.resolve("journal"));
        this.dirCPaths = dirs.stream().map(Libc::cPath).toList();
    }

    /** Once, at start: {@link #problem()} of a new instance. */
    static String problem(Path data) {
        return new ImmutableDataDir(data).problem();
    }

    /** The first of the data dir, its journal dir and the files in them that is immutable or append-only, said in one line; or null. */
    String problem() {
        long[] mtimeSeconds = new long[dirs.size()], mtimeNanos = new long[dirs.size()];
        boolean[] exists = new boolean[dirs.size()];
        for (int i = 0; i < dirs.size(); i++) {
            exists[i] = statx(dirCPaths.get(i));
            String problem = problem(dirs.get(i), exists[i]);
            if (problem != null) return problem;
            mtimeSeconds[i] = stat.getLong(Libc.STX_MTIME);
            mtimeNanos[i] = stat.getInt(Libc.STX_MTIME + 8) & 0xffffffffL;
        }
        for (int i = 0; i < dirs.size(); i++) {
            if (!exists[i]) continue; // a dir not made yet has no files
            Listing l = listing(dirs.get(i), mtimeSeconds[i], mtimeNanos[i]);
            for (int f = 0; f < l.files().size(); f++) {
                String problem = problem(l.files().get(f), statx(l.cPaths().get(f)));
                if (problem != null) return problem;
            }
        }
        return null;
    }

    /**
     * The dir's files to look at: listed again when its modification time changed, or when the last listing was made
     * within a second of that time (a file created in the same clock tick leaves the time as it was).
     */
    private Listing listing(Path dir, long sec, long nsec) {
        Listing l = listings.get(dir);
        if (l != null && l.mtimeSeconds() == sec && l.mtimeNanos() == nsec && l.listedAtMillis() / 1000 > sec + 1) return l;
        long listedAt = System.currentTimeMillis();
        List<Path> files = list(dir);
        l = new Listing(sec, nsec, listedAt, files, files.stream().map(Libc::cPath).toList());
        listings.put(dir, l);
        return l;
    }

    private static List<Path> list(Path dir) {
        List<Path> paths = new ArrayList<>();
        Path newestCycle = null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
                // Of the journal's cycle files only the newest is written; the older ones (hours of them) are
                // not looked at every pass.
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

    /** The line that says the file is immutable or append-only (its statx in {@link #stat}); null when it is neither, or not read. */
    private String problem(Path p, boolean read) {
        long flags = read ? stat.getLong(Libc.STX_ATTRIBUTES) : 0;
        if ((flags & (Libc.STATX_ATTR_IMMUTABLE | Libc.STATX_ATTR_APPEND)) == 0) return null;
        return p + " is " + ((flags & Libc.STATX_ATTR_IMMUTABLE) != 0 ? "immutable (chattr +i)" : "append-only (chattr +a)")
                + ": hostqld cannot write its data dir safely and stops; remove the flag (chattr -i -a) and start it again";
    }

    /**
     * The file's statx into {@link #stat}; false when it cannot be read. statx, not open and an ioctl: closing any
     * descriptor of a file drops the process's fcntl locks on it, hostqld.lock's instance lock among them.
     */
    private boolean statx(byte[] cPath) {
        return Libc.statx(Libc.AT_FDCWD, cPath, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, stat.array()) == 0;
    }
}
