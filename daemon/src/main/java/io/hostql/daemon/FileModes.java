package io.hostql.daemon;

import io.hostql.os.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The modes of what hostqld writes, whatever umask it was started with: the data dir (journal,
 * events.db, state) is private to root, the logs readable by the log dir's group.
 *
 * <p>The umask is 077, not 027: with 027, files that Chronicle and SQLite create later (an hourly
 * journal cycle, events.db's -wal and -shm, a rebuilt events.db) would be 0640 in the data dir, and
 * there is no hook to fix each one. Under 077 everything is private by default, and the few files
 * meant to be group-readable are given their mode explicitly: the log dir, the status log (on each
 * open, see {@link StatusLog}), the result logs (logger_mode, loggers' RotatingFile) and the pidfile.
 */
final class FileModes {
    static final int UMASK = 077;
    static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> LOG_DIR = PosixFilePermissions.fromString("rwxr-x---");
    static final Set<PosixFilePermission> LOG_FILE = PosixFilePermissions.fromString("rw-r-----");
    static final Set<PosixFilePermission> PIDFILE = PosixFilePermissions.fromString("rw-r--r--");

    private FileModes() {}

    /** First thing in main, before any file is made: the mode bits a creator asks for are cut to the owner's. */
    static void restrictUmask() {
        try {
            Libc.umask(UMASK);
        } catch (LinkageError e) {
            // JNA cannot load: hostqld fails later with a clear line about it; every mode is still set explicitly below
        }
    }

    /** What {@link #tighten} changed: how many paths, and the first one with its old and new mode. */
    record Tightened(int count, String example) {}

    /**
     * Takes from existing files and dirs the bits wider than their mode: everything under the data
     * dir; in the log dir, hostqld's own logs. A dir that is shared (sticky, as /tmp) or holds
     * others' files keeps its own mode: only what is hostql's is changed.
     */
    static Tightened tighten(Path dataDir, Path logDir) {
        List<String> changed = new ArrayList<>();
        if (!shared(dataDir)) narrow(dataDir, PRIVATE_DIR, changed);
        try (Stream<Path> all = Files.walk(dataDir)) {
            all.skip(1).forEach(p -> narrow(p, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? PRIVATE_DIR : PRIVATE_FILE, changed));
        } catch (IOException | java.io.UncheckedIOException e) {
            // a path that went away while walking: nothing to tighten there
        }
        if (!logDir.equals(dataDir)) {
            List<Path> logs = new ArrayList<>(), others = new ArrayList<>();
            try (Stream<Path> entries = Files.list(logDir)) {
                entries.forEach(p -> (p.getFileName().toString().startsWith("hostqld.") ? logs : others).add(p));
            } catch (IOException | java.io.UncheckedIOException e) {
                // unreadable: left as it is
            }
            if (others.isEmpty() && !shared(logDir)) narrow(logDir, LOG_DIR, changed);
            for (Path p : logs) if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) narrow(p, LOG_FILE, changed);
        }
        return new Tightened(changed.size(), changed.isEmpty() ? "" : changed.get(0));
    }

    /** Sets exactly this mode (a file hostqld rewrote or opened, whose mode is not the umask's). */
    static void set(Path p, Set<PosixFilePermission> mode) throws IOException {
        try {
            Files.setPosixFilePermissions(p, mode);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    /** Removes the bits beyond max (never adds any); symlinks are left alone. */
    private static void narrow(Path p, Set<PosixFilePermission> max, List<String> changed) {
        try {
            if (Files.isSymbolicLink(p)) return;
            Set<PosixFilePermission> now = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            if (max.containsAll(now)) return;
            Set<PosixFilePermission> narrowed = java.util.EnumSet.noneOf(PosixFilePermission.class);
            narrowed.addAll(now);
            narrowed.retainAll(max);
            Files.setPosixFilePermissions(p, narrowed);
            changed.add(p + " " + octal(now) + " -> " + octal(narrowed));
        } catch (IOException | UnsupportedOperationException e) {
            // gone meanwhile, or not POSIX: nothing to tighten
        }
    }

    /** A dir others share (sticky, as /tmp, or the root): never made private. */
    private static boolean shared(Path dir) {
        try {
            if (dir.toAbsolutePath().getParent() == null) return true;
            Object mode = Files.getAttribute(dir, "unix:mode");
            return mode instanceof Integer m && (m & 01000) != 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return true;
        }
    }

    static String octal(Set<PosixFilePermission> mode) {
        int m = 0;
        for (PosixFilePermission p : mode) m |= 1 << (8 - p.ordinal());
        return String.format("%04o", m);
    }
}
