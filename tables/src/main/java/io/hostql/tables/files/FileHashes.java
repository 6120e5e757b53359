package io.hostql.tables.files;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.hostql.os.Libc;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * MD5 / SHA-1 / SHA-256 of regular files: each file is read once, in large blocks, and only the
 * requested digests are computed. Files are opened non-blocking and checked with fstat before any
 * read, so a FIFO or device swapped in after a check is never read and never blocks.
 */
public final class FileHashes {
    /** Hex digests; null for one not requested, "" for all when the file could not be read (as osquery). */
    public record Digests(String md5, String sha1, String sha256) {
        static final Digests UNREADABLE = new Digests("", "", "");
    }

    private static final int BLOCK = 1 << 19;
    private static final HexFormat HEX = HexFormat.of();
    private static final int THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private static final ExecutorService POOL = Executors.newFixedThreadPool(THREADS, new ThreadFactoryImpl());
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private FileHashes() {}

    /**
     * Hashes one file on this thread. Null if it is not a regular file (any more); {@link
     * Digests#UNREADABLE} if it cannot be opened or read.
     */
    public static Digests hash(FilePath path, boolean md5, boolean sha1, boolean sha256) {
        Buffers b = BUFFERS.get();
        int fd = Libc.open(path.cstr(), Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY | Libc.O_CLOEXEC);
        if (fd < 0) return Digests.UNREADABLE;
        try {
            FileStat st = FileStat.fstat(fd);
            if (st == null || !st.isRegular()) return null;
            while (true) {
                long n = Libc.read(fd, b.direct, BLOCK);
                if (n == 0) break;
                if (n < 0) {
                    if (Native.getLastError() == Libc.EINTR) continue;
                    return Digests.UNREADABLE;
                }
                b.direct.read(0, b.heap, 0, (int) n);
                if (md5) b.md5.update(b.heap, 0, (int) n);
                if (sha1) b.sha1.update(b.heap, 0, (int) n);
                if (sha256) b.sha256.update(b.heap, 0, (int) n);
            }
            return new Digests(md5 ? HEX.formatHex(b.md5.digest()) : null, sha1 ? HEX.formatHex(b.sha1.digest()) : null,
                    sha256 ? HEX.formatHex(b.sha256.digest()) : null);
        } finally {
            b.md5.reset();
            b.sha1.reset();
            b.sha256.reset();
            Libc.close(fd);
        }
    }

    /** Hashes files in parallel on a small shared pool; results in the order of {@code paths}. */
    public static List<Digests> hashAll(List<FilePath> paths, boolean md5, boolean sha1, boolean sha256) throws InterruptedException {
        List<Future<Digests>> futures = new ArrayList<>(paths.size());
        for (FilePath p : paths) futures.add(POOL.submit(() -> hash(p, md5, sha1, sha256)));
        List<Digests> out = new ArrayList<>(paths.size());
        try {
            for (Future<Digests> f : futures) out.add(f.get());
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(c);
        } finally {
            for (Future<Digests> f : futures) f.cancel(false);
        }
        return out;
    }

    /** Per-thread read buffers and digests: a native block for read(2), a heap copy for the digests. */
    private static final class Buffers {
        final Memory direct = new Memory(BLOCK);
        final byte[] heap = new byte[BLOCK];
        final MessageDigest md5 = digest("MD5"), sha1 = digest("SHA-1"), sha256 = digest("SHA-256");

        private static MessageDigest digest(String name) {
            try {
                return MessageDigest.getInstance(name);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(name + " is missing from this JVM", e);
            }
        }
    }

    private static final class ThreadFactoryImpl implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "hostql-hash-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
