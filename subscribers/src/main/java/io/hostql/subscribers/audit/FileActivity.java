package io.hostql.subscribers.audit;

import io.hostql.events.FileSyscallEvent;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * osquery's audit FIM state machine: for each process, its open file descriptors (the inode and the last
 * operation), and for each inode the path it was last seen at. A file syscall becomes an {@link Activity}
 * (one row, before filtering) when it changes that state: an open (or open+truncate), the first read or
 * write after an open, a read followed by a write, a close, a rename, link, symlink, unlink or truncate.
 * Reads and writes on a descriptor hostql did not see opened (a process older than hostqld) are not
 * activities: their file is unknown. Bounded as osquery bounds it: 4096 processes and 20000 inodes, the
 * least recently used dropped first. Not thread-safe: one subscriber thread feeds it.
 *
 * <p>Paths are kept as ISO-8859-1 strings, one char per byte, so names that are not UTF-8 survive unchanged.
 */
final class FileActivity {
    static final int MAX_PROCESSES = 4096, MAX_INODES = 20_000, MAX_FDS = 1 << 16;
    private static final long O_TRUNC = 0x200, PROT_WRITE = 0x2, MAP_SHARED = 0x1;

    /** osquery's operation names; write operations are shown without audit_fim_show_accesses. */
    enum Operation {
        OPEN("open", false), OPEN_TRUNCATE("open+truncate", true), READ("read", false), WRITE("write", true), CLOSE("close", false),
        UNLINK("unlink", true), RENAME("rename", true), LINK("link", true), SYMLINK("symlink", true);

        final String text;
        final boolean write;

        Operation(String text, boolean write) {
            this.text = text;
            this.write = write;
        }
    }

    /** What one file syscall did: a path (and a destination for rename, link, symlink); partial when some of it is unknown. */
    record Activity(Operation operation, byte[] path, byte[] destPath, boolean partial) {}

    private static final class Descriptor {
        long inode;
        Operation last;

        Descriptor(long inode, Operation last) {
            this.inode = inode;
            this.last = last;
        }
    }

    private final LinkedHashMap<Integer, Map<Long, Descriptor>> processes = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Map<Long, Descriptor>> eldest) {
            return size() > MAX_PROCESSES;
        }
    };
    private final LinkedHashMap<Long, String> inodes = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > MAX_INODES;
        }
    };

    /** A fork, vfork or clone: the child starts with a copy of the parent's descriptors (when hostql follows the parent). */
    void fork(int parent, int child) {
        Map<Long, Descriptor> fds = processes.get(parent);
        if (fds == null || child <= 0) return;
        Map<Long, Descriptor> copy = new HashMap<>(fds.size() * 2);
        fds.forEach((fd, d) -> copy.put(fd, new Descriptor(d.inode, d.last)));
        processes.put(child, copy);
    }

    /** The activity of a successful file syscall, or null when it is none (a dup, a repeated read, an unknown descriptor...). */
    Activity apply(FileSyscallEvent e) {
        boolean incomplete = (e.flags() & FileSyscallEvent.INCOMPLETE) != 0;
        String cwd = text(e.cwd());
        return switch (e.syscall()) {
            case "open", "openat", "openat2", "creat", "mknod", "mknodat", "open_by_handle_at" -> open(e, cwd, incomplete);
            case "read", "readv", "pread64", "preadv", "preadv2" -> io(e, e.args()[0], false, incomplete);
            case "write", "writev", "pwrite64", "pwritev", "pwritev2", "ftruncate" -> io(e, e.args()[0], true, incomplete);
            case "mmap" -> e.mmapFd() < 0 ? null
                    : io(e, e.mmapFd(), (e.args()[2] & PROT_WRITE) != 0 && (e.args()[3] & MAP_SHARED) != 0, incomplete);
            case "close" -> close(e, incomplete);
            case "dup", "dup2", "dup3" -> {
                dup(e.pid(), e.args()[0], e.exit());
                yield null;
            }
            case "truncate" -> truncate(e, cwd, incomplete);
            case "unlink", "unlinkat" -> unlink(e, incomplete);
            case "rename", "renameat", "renameat2" -> rename(e, incomplete);
            case "link", "linkat", "symlink", "symlinkat" -> link(e, cwd, incomplete);
            case "name_to_handle_at" -> {
                int i = e.item(0);
                if (i >= 0 && e.names()[i] != null) inodes.put(e.inodes()[i], normalize(cwd, text(e.names()[i])));
                yield null;
            }
            default -> null;
        };
    }

    private Activity open(FileSyscallEvent e, String cwd, boolean incomplete) {
        String name = e.syscall();
        boolean truncate = switch (name) {
            case "open" -> (e.args()[1] & O_TRUNC) != 0;
            case "openat", "open_by_handle_at" -> (e.args()[2] & O_TRUNC) != 0;
            case "creat" -> true; // creat is open(O_CREAT|O_WRONLY|O_TRUNC)
            default -> false; // openat2's flags are behind a pointer; mknod makes a file empty
        };
        int count = e.items().length;
        int dir = -1, file;
        if (name.equals("creat") || name.startsWith("mknod")) {
            if (count != 2) return null;
            dir = e.item(0);
            file = e.item(1);
        } else if (name.equals("open_by_handle_at")) {
            file = e.item(0);
            if (count != 1 || file < 0) return null;
            String known = inodes.get(e.inodes()[file]);
            if (known == null) return null; // its path was never seen (name_to_handle_at)
            return opened(e, e.inodes()[file], known, truncate, incomplete);
        } else if (count == 2) {
            dir = e.item(0); // the parent, then the file it created
            file = e.item(1);
        } else if (count == 1 || count == 3) {
            file = e.item(0);
        } else {
            return null;
        }
        if (file < 0 || e.names()[file] == null) return null;
        String base = dir >= 0 && e.names()[dir] != null ? normalize(cwd, text(e.names()[dir])) : cwd;
        return opened(e, e.inodes()[file], normalize(base, text(e.names()[file])), truncate, incomplete);
    }

    private Activity opened(FileSyscallEvent e, long inode, String path, boolean truncate, boolean incomplete) {
        Operation op = truncate ? Operation.OPEN_TRUNCATE : Operation.OPEN;
        if (e.exit() >= 0 && !e.syscall().startsWith("mknod")) {
            Map<Long, Descriptor> fds = processes.computeIfAbsent(e.pid(), p -> new HashMap<>());
            if (fds.size() < MAX_FDS) fds.put(e.exit(), new Descriptor(inode, op));
        }
        inodes.put(inode, path);
        return new Activity(op, bytes(path), null, incomplete);
    }

    private Descriptor descriptor(int pid, long fd) {
        Map<Long, Descriptor> fds = processes.get(pid);
        return fds == null ? null : fds.get(fd);
    }

    private Activity io(FileSyscallEvent e, long fd, boolean write, boolean incomplete) {
        Descriptor d = descriptor(e.pid(), fd);
        if (d == null) return null;
        boolean changed = switch (d.last) {
            case OPEN, OPEN_TRUNCATE -> true;
            case READ -> write;
            default -> false;
        };
        if (!changed) return null;
        d.last = write ? Operation.WRITE : Operation.READ;
        String path = inodes.get(d.inode);
        return path == null ? null : new Activity(d.last, bytes(path), null, incomplete);
    }

    private Activity close(FileSyscallEvent e, boolean incomplete) {
        Map<Long, Descriptor> fds = processes.get(e.pid());
        Descriptor d = fds == null ? null : fds.remove(e.args()[0]);
        if (d == null) return null;
        String path = inodes.get(d.inode);
        return path == null ? null : new Activity(Operation.CLOSE, bytes(path), null, incomplete);
    }

    private void dup(int pid, long fd, long newFd) {
        Descriptor d = descriptor(pid, fd);
        if (d == null || newFd < 0) return;
        processes.get(pid).put(newFd, new Descriptor(d.inode, d.last));
    }

    private Activity truncate(FileSyscallEvent e, String cwd, boolean incomplete) {
        int i = e.item(0);
        if (e.items().length != 1 || i < 0 || e.names()[i] == null) return null;
        String path = normalize(cwd, text(e.names()[i]));
        inodes.put(e.inodes()[i], path);
        return new Activity(Operation.WRITE, bytes(path), null, incomplete);
    }

    /** unlink, unlinkat: the parent directory, then the name removed. */
    private Activity unlink(FileSyscallEvent e, boolean incomplete) {
        int dir = e.item(0), file = e.item(1);
        if (e.items().length != 2 || dir < 0 || file < 0 || e.names()[file] == null) return null;
        String path = normalize(text(e.names()[dir]), text(e.names()[file]));
        inodes.remove(e.inodes()[file]);
        return new Activity(Operation.UNLINK, bytes(path), null, incomplete);
    }

    /**
     * rename, renameat, renameat2: the source's directory, the destination's, the source, then the destination
     * (or, when it replaced a file, the file replaced and then the destination). The renamed inode is known at its
     * new path from here on; not knowing it before is a partial event.
     */
    private Activity rename(FileSyscallEvent e, boolean incomplete) {
        int count = e.items().length;
        int srcDir = e.item(0), dstDir = e.item(1), src = e.item(2), dst = e.item(count == 5 ? 4 : 3);
        if (count != 4 && count != 5 || srcDir < 0 || dstDir < 0 || src < 0 || dst < 0 || e.names()[src] == null || e.names()[dst] == null) {
            return null;
        }
        String from = normalize(text(e.names()[srcDir]), text(e.names()[src]));
        String to = normalize(text(e.names()[dstDir]), text(e.names()[dst]));
        if (count == 5) {
            int replaced = e.item(3);
            if (replaced >= 0) inodes.remove(e.inodes()[replaced]);
        }
        boolean known = inodes.remove(e.inodes()[src]) != null;
        inodes.put(e.inodes()[src], to);
        return new Activity(Operation.RENAME, bytes(from), bytes(to), incomplete || !known);
    }

    /** link, linkat, symlink, symlinkat: the old path (or the symlink's target), the new path's directory, the new path. */
    private Activity link(FileSyscallEvent e, String cwd, boolean incomplete) {
        int old = e.item(0), dir = e.item(1), created = e.item(2);
        if (e.items().length != 3 || old < 0 || dir < 0 || created < 0 || e.names()[old] == null || e.names()[created] == null) return null;
        boolean symlink = e.syscall().startsWith("symlink");
        String from = normalize(cwd, text(e.names()[old]));
        String to = normalize(text(e.names()[dir]), text(e.names()[created]));
        inodes.put(e.inodes()[created], to); // a hard link's inode is the old path's too: known by its newest name
        return new Activity(symlink ? Operation.SYMLINK : Operation.LINK, bytes(from), bytes(to), incomplete);
    }

    /**
     * An absolute, lexically normalized path (osquery does not touch the file system either: it may have changed
     * since): a relative name is taken from base, and "." and ".." are resolved.
     */
    static String normalize(String base, String name) {
        String joined = name.startsWith("/") ? name : (base == null || base.isEmpty() ? "/" : base) + "/" + name;
        if (!joined.startsWith("/")) joined = "/" + joined;
        String[] parts = joined.split("/");
        StringBuilder out = new StringBuilder(joined.length());
        int[] ends = new int[parts.length];
        int depth = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) {
                if (depth > 0) out.setLength(ends[--depth]);
                continue;
            }
            ends[depth++] = out.length();
            out.append('/').append(p);
        }
        return out.length() == 0 ? "/" : out.toString();
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Processes followed now (for the debug log and the tests). */
    int processes() {
        return processes.size();
    }
}
