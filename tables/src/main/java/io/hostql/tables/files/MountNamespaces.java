package io.hostql.tables.files;

import com.sun.jna.Native;
import io.hostql.os.Libc;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.tables.users.Groups;
import io.hostql.tables.users.Passwd;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * osquery's {@code pid_with_namespace}: with {@code pid_with_namespace = N}, the table is generated
 * inside the mount namespace of process N (a container's filesystem view), and its rows carry
 * {@code pid_with_namespace} and {@code mount_namespace_id}. Without it, rows carry
 * {@code pid_with_namespace = 0}, as osquery's.
 *
 * <p>osquery forks a worker for this; hostql runs the work on a fresh thread that unshares its
 * filesystem attributes and setns(2)s into the namespace, then ends. Code that runs there must
 * not load classes from disk, so the package's classes are loaded before entering.
 */
final class MountNamespaces {
    interface Work {
        void run(RowSink rows) throws Exception;
    }

    private MountNamespaces() {}

    /** Runs {@code work} on this host, or once inside each constrained pid's mount namespace. */
    static void generate(QueryContext ctx, RowSink rows, Work work) throws Exception {
        generate(ctx, rows, work, work);
    }

    /** As above, with a variant of the work for inside a namespace (e.g. single-threaded). */
    static void generate(QueryContext ctx, RowSink rows, Work host, Work inside) throws Exception {
        Set<Long> pids = ctx.equalsLong("pid_with_namespace");
        if (pids.isEmpty()) {
            host.run(() -> rows.add().set("pid_with_namespace", 0));
            return;
        }
        String own = namespaceId("self");
        for (long pid : pids) {
            String id = namespaceId(Long.toString(pid));
            if (id == null) continue; // no such process (or it just exited)
            boolean hasId = ctx.schema().indexOf("mount_namespace_id") >= 0;
            RowSink tagged = () -> {
                RowSink.Row row = rows.add().set("pid_with_namespace", pid);
                return hasId ? row.set("mount_namespace_id", id) : row;
            };
            if (id.equals(own)) {
                host.run(tagged);
            } else {
                runInside(pid, () -> inside.run(tagged));
            }
        }
    }

    /** The number in /proc/PID/ns/mnt's "mnt:[4026531840]", or null. */
    static String namespaceId(String pid) {
        byte[] link = FileStat.readlink(FilePath.of("/proc/" + pid + "/ns/mnt"));
        if (link == null) return null;
        String s = new String(link, StandardCharsets.UTF_8);
        int open = s.indexOf('['), close = s.indexOf(']');
        return open >= 0 && close > open ? s.substring(open + 1, close) : s;
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void runInside(long pid, Body body) throws Exception {
        int fd = Libc.open(FilePath.of("/proc/" + pid + "/ns/mnt").cstr(), Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0) {
            int errno = Native.getLastError();
            if (errno == Libc.ENOENT) return; // exited
            throw new IllegalStateException("cannot open the mount namespace of pid " + pid + ": " + Libc.errorText(errno));
        }
        Throwable[] failure = new Throwable[1];
        try {
            preload();
            Thread t = new Thread(() -> {
                try {
                    // A thread shares cwd/root with the whole JVM until it unshares them; only then may it setns.
                    if (Libc.unshare(Libc.CLONE_FS) != 0) {
                        throw new IllegalStateException("unshare(CLONE_FS) failed: " + Libc.errorText(Native.getLastError()));
                    }
                    if (Libc.setns(fd, Libc.CLONE_NEWNS) != 0) {
                        throw new IllegalStateException("cannot enter the mount namespace of pid " + pid + ": "
                                + Libc.errorText(Native.getLastError()) + " (needs root)");
                    }
                    body.run();
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }, "hostql-mntns-" + pid);
            t.setDaemon(true);
            t.start();
            t.join();
        } finally {
            Libc.close(fd);
        }
        if (failure[0] instanceof Exception e) throw e;
        if (failure[0] instanceof Error e) throw e;
    }

    private static volatile boolean preloaded;

    /** Loads what the work needs while the JVM's own filesystem view is still in place. */
    private static void preload() throws Exception {
        if (preloaded) return;
        for (Class<?> c : List.of(FilePatterns.class, FilePath.class, FileStat.class, FileTable.class, HashTable.class,
                FileHashes.class, SuidBinTable.class, Passwd.class, Groups.class)) {
            load(c);
        }
        for (String algorithm : List.of("MD5", "SHA-1", "SHA-256")) MessageDigest.getInstance(algorithm).digest();
        HexFormat.of().formatHex(new byte[1]);
        preloaded = true;
    }

    private static void load(Class<?> c) throws ClassNotFoundException {
        Class.forName(c.getName(), true, c.getClassLoader());
        for (Class<?> inner : c.getDeclaredClasses()) load(inner);
    }
}
