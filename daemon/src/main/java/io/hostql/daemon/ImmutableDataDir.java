package io.hostql.daemon;

import io.hostql.os.Libc;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a data dir made immutable or append-only ({@code chattr +i}, {@code +a}) under hostqld.
 *
 * <p>Why hostqld stops instead of running degraded: the journal and SQLite's {@code -shm} file are written
 * through mmap, and on ext4 a mapped write to an immutable file is a SIGBUS that kills the JVM (with an
 * hs_err file and a stale pidfile), a chance it must not take. An immutable data dir is an administrator's
 * act, not a passing fault like a full disk, so hostqld says so in one line and exits non-zero (systemd
 * restarts it, and the start refuses with the same line until the flag is removed). Looked at every
 * half second: one statx per file written (the data dir's files, the journal's newest cycle and its metadata), and
 * ext4 faults only once a written page has been cleaned by writeback.
 */
final class ImmutableDataDir {
    private ImmutableDataDir() {}

    /** The first of the data dir, its journal dir and the files in them that is immutable or append-only, said in one line; or null. */
    static String problem(Path data) {
        List<Path> paths = new ArrayList<>();
        paths.add(data);
        Path journal = data.resolve("journal");
        paths.add(journal);
        for (Path dir : List.of(data, journal)) {
            Path newestCycle = null;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
                    // Of the journal's cycle files only the newest is written; the older ones (hours of them) are
                    // not looked at twice a second.
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
        }
        for (Path p : paths) {
            long flags = attributes(p);
            if ((flags & (Libc.STATX_ATTR_IMMUTABLE | Libc.STATX_ATTR_APPEND)) != 0) {
                return p + " is " + ((flags & Libc.STATX_ATTR_IMMUTABLE) != 0 ? "immutable (chattr +i)" : "append-only (chattr +a)")
                        + ": hostqld cannot write its data dir safely and stops; remove the flag (chattr -i -a) and start it again";
            }
        }
        return null;
    }

    /**
     * The file's statx attributes, or 0 when they cannot be read. statx, not open and an ioctl: closing any
     * descriptor of a file drops the process's fcntl locks on it, hostqld.lock's instance lock among them.
     */
    private static long attributes(Path p) {
        byte[] buf = new byte[Libc.STATX_SIZE];
        if (Libc.statx(Libc.AT_FDCWD, Libc.cPath(p), Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, buf) != 0) return 0;
        return java.nio.ByteBuffer.wrap(buf).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(Libc.STX_ATTRIBUTES);
    }
}
