package io.hostql.os.yara;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.hostql.os.Libc;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One thread's scanner over a set of {@link YaraRules} (YR_SCANNER, fast mode as osquery: each
 * string's first match only). Not thread-safe: libyara keeps the scan's state in it.
 */
public final class YaraScanner implements AutoCloseable {
    /** The scan in progress on this thread: libyara calls back synchronously, on the scanning thread. */
    private static final ThreadLocal<YaraMatches> CURRENT = new ThreadLocal<>();
    /** One callback for every scanner: JNA makes a native trampoline per callback object, so none is made per scan. */
    private static final LibYara.ScanCallback CALLBACK = YaraScanner::onScan;

    private final YaraRules rules;
    private Pointer scanner;

    YaraScanner(YaraRules rules, Pointer scanner, int timeoutSeconds) {
        this.rules = rules;
        this.scanner = scanner;
        LibYara.yr_scanner_set_callback(scanner, CALLBACK, null);
        LibYara.yr_scanner_set_flags(scanner, LibYara.SCAN_FLAGS_FAST_MODE | LibYara.SCAN_FLAGS_NO_TRYCATCH);
        LibYara.yr_scanner_set_timeout(scanner, Math.max(0, timeoutSeconds));
    }

    /** Scans a file; its matches are added to {@code into}. */
    public void scanFile(String path, YaraMatches into) throws YaraException {
        scanFile(path.getBytes(StandardCharsets.UTF_8), into);
    }

    /**
     * Scans a file named by its path's bytes (not necessarily UTF-8); its matches are added to {@code into}. A regular file
     * up to {@link #IN_MEMORY_MAX} is read into memory and scanned there: libyara would map it, and a file truncated while a
     * mapping of it is read raises SIGBUS, which nothing catches now that libyara's try/catch is off (the JVM would end).
     * A larger one is left to libyara's mapping, and so is a file that cannot be opened here (libyara says why).
     */
    public void scanFile(byte[] path, YaraMatches into) throws YaraException {
        byte[] c = Arrays.copyOf(path, path.length + 1);
        String target = "file " + new String(path, StandardCharsets.UTF_8);
        Content content = read(c);
        if (content == null) {
            scan(into, () -> LibYara.yr_scanner_scan_file(open(), c), target);
            return;
        }
        try (content.memory) {
            scan(into, () -> LibYara.yr_scanner_scan_mem(open(), content.memory, content.length), target);
        }
    }

    /** A file's bytes in native memory: the first {@code length} (the file may have shrunk while it was read). */
    private record Content(Memory memory, long length) {}

    /** Files up to this size are scanned from a copy in memory (see {@link #scanFile(byte[], YaraMatches)}). */
    static final long IN_MEMORY_MAX = 32L << 20; // a transient copy the daemon's memory limit can take

    /** A regular file's content up to {@link #IN_MEMORY_MAX} (what could be read of it), or null to let libyara map it. */
    private static Content read(byte[] cPath) {
        int fd = Libc.open(cPath, Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NONBLOCK);
        if (fd < 0) return null;
        try {
            byte[] stx = new byte[Libc.STATX_SIZE];
            if (Libc.statx(fd, new byte[1], Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, stx) != 0) return null;
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(stx).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long size = b.getLong(Libc.STX_SIZE);
            if ((b.getShort(Libc.STX_MODE) & Libc.S_IFMT) != Libc.S_IFREG || size > IN_MEMORY_MAX) return null;
            Memory m = new Memory(Math.max(1, size)); // JNA refuses a zero-sized Memory
            long n = 0;
            while (n < size) {
                long r = Libc.read(fd, m.share(n), size - n);
                if (r <= 0) break; // shrunk meanwhile (0), or an error: scan what was read
                n += r;
            }
            return new Content(m, n);
        } finally {
            Libc.close(fd);
        }
    }

    /** Scans a process's memory (ptrace-attached while scanned, as the yara CLI); matches are added to {@code into}. */
    public void scanProcess(int pid, YaraMatches into) throws YaraException {
        scan(into, () -> LibYara.yr_scanner_scan_proc(open(), pid), "process " + pid);
    }

    private interface Scan {
        int run();
    }

    private void scan(YaraMatches into, Scan scan, String target) throws YaraException {
        CURRENT.set(into);
        int rc;
        try {
            rc = scan.run();
        } finally {
            CURRENT.remove();
        }
        if (rc != LibYara.ERROR_SUCCESS) throw new YaraException("YARA cannot scan " + target + ": " + YaraException.describe(rc), rc);
    }

    private Pointer open() {
        if (scanner == null) throw new IllegalStateException("this YARA scanner is closed");
        return scanner;
    }

    /** Called by libyara during a scan: records a matching rule, its strings' matches and its tags. */
    private static int onScan(Pointer context, int message, Pointer rule, Pointer userData) {
        if (message != LibYara.CALLBACK_MSG_RULE_MATCHING) return LibYara.CALLBACK_CONTINUE;
        try {
            YaraMatches m = CURRENT.get();
            if (m == null) return LibYara.CALLBACK_CONTINUE;
            m.rule(rule.getPointer(LibYara.RULE_IDENTIFIER).getString(0, "UTF-8"));
            Pointer matches = context.getPointer(LibYara.CONTEXT_MATCHES);
            Pointer s = rule.getPointer(LibYara.RULE_STRINGS);
            while (s != null) {
                int flags = s.getInt(LibYara.STRING_FLAGS);
                long idx = s.getInt(LibYara.STRING_IDX) & 0xffffffffL;
                String id = null;
                for (Pointer hit = matches.getPointer(idx * LibYara.MATCHES_SIZE + LibYara.MATCHES_HEAD); hit != null;
                     hit = hit.getPointer(LibYara.MATCH_NEXT)) {
                    if (hit.getByte(LibYara.MATCH_IS_PRIVATE) != 0) continue;
                    if (id == null) id = s.getPointer(LibYara.STRING_IDENTIFIER).getString(0, "UTF-8");
                    m.string(id, hit.getLong(LibYara.MATCH_BASE) + hit.getLong(LibYara.MATCH_OFFSET));
                }
                s = (flags & LibYara.STRING_FLAGS_LAST_IN_RULE) != 0 ? null : s.share(LibYara.STRING_SIZE);
            }
            Pointer tags = rule.getPointer(LibYara.RULE_TAGS);
            if (tags != null) {
                long at = 0;
                for (String tag; !(tag = tags.getString(at, "UTF-8")).isEmpty(); at += tag.getBytes(StandardCharsets.UTF_8).length + 1) {
                    m.tag(tag);
                }
            }
            return LibYara.CALLBACK_CONTINUE;
        } catch (Throwable t) {
            // JNA would swallow it and return 0 (continue): stop the scan instead, which then fails with an error.
            return LibYara.CALLBACK_ERROR;
        }
    }

    @Override
    public void close() {
        if (scanner == null) return;
        LibYara.yr_scanner_destroy(scanner);
        scanner = null;
        rules.released();
    }
}
