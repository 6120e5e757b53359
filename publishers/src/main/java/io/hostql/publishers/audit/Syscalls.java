package io.hostql.publishers.audit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The syscalls hostql audits, by audit architecture: numbers for the rules, names for the events.
 * x86_64 also gets i386 exec, fork and kill rules, so a 32-bit program's execve is not missed; 32-bit
 * socket calls (socketcall) and 32-bit file syscalls are not audited.
 */
final class Syscalls {
    static final int ARCH_X86_64 = 0xC000003E, ARCH_I386 = 0x40000003, ARCH_AARCH64 = 0xC00000B7;

    /**
     * One architecture's syscall numbers by group: exec (process_events), socket (socket_events), fork and
     * kill (process_events with audit_allow_fork/kill_process_events; fork also follows file descriptors
     * into children for process_file_events) and fim (process_file_events, osquery's list plus the legacy
     * x86_64 calls its handler knows, openat2, preadv2 and pwritev2).
     */
    record Arch(int audit, Map<String, Integer> exec, Map<String, Integer> socket, Map<String, Integer> fork,
            Map<String, Integer> kill, Map<String, Integer> fim) {
        List<Integer> numbers(Map<String, Integer> m) {
            return List.copyOf(m.values());
        }

        /** Every group's names and numbers. */
        Map<String, Integer> all() {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (Map<String, Integer> g : List.of(exec, socket, fork, kill, fim)) m.putAll(g);
            return m;
        }
    }

    private static final Arch X86_64 = new Arch(ARCH_X86_64, Map.of("execve", 59, "execveat", 322),
            Map.of("bind", 49, "connect", 42, "accept", 43, "accept4", 288),
            Map.of("clone", 56, "fork", 57, "vfork", 58), Map.of("kill", 62, "tkill", 200, "tgkill", 234),
            numbers("read", 0, "write", 1, "open", 2, "close", 3, "mmap", 9, "pread64", 17, "pwrite64", 18, "readv", 19, "writev", 20,
                    "dup", 32, "dup2", 33, "truncate", 76, "ftruncate", 77, "rename", 82, "creat", 85, "link", 86, "unlink", 87,
                    "symlink", 88, "mknod", 133, "openat", 257, "mknodat", 259, "unlinkat", 263, "renameat", 264, "linkat", 265,
                    "symlinkat", 266, "dup3", 292, "preadv", 295, "pwritev", 296, "name_to_handle_at", 303, "open_by_handle_at", 304,
                    "renameat2", 316, "preadv2", 327, "pwritev2", 328, "openat2", 437));
    private static final Arch I386 = new Arch(ARCH_I386, Map.of("execve", 11, "execveat", 358), Map.of(),
            Map.of("clone", 120, "fork", 2, "vfork", 190), Map.of("kill", 37, "tkill", 238, "tgkill", 270), Map.of());
    private static final Arch AARCH64 = new Arch(ARCH_AARCH64, Map.of("execve", 221, "execveat", 281),
            Map.of("bind", 200, "connect", 203, "accept", 202, "accept4", 242),
            Map.of("clone", 220), Map.of("kill", 129, "tkill", 130, "tgkill", 131),
            numbers("read", 63, "write", 64, "close", 57, "mmap", 222, "pread64", 67, "pwrite64", 68, "readv", 65, "writev", 66,
                    "dup", 23, "dup3", 24, "truncate", 45, "ftruncate", 46, "openat", 56, "mknodat", 33, "unlinkat", 35, "renameat", 38,
                    "linkat", 37, "symlinkat", 36, "preadv", 69, "pwritev", 70, "name_to_handle_at", 264, "open_by_handle_at", 265,
                    "renameat2", 276, "preadv2", 286, "pwritev2", 287, "openat2", 437));

    private static final List<Arch> ARCHS = List.of(X86_64, I386, AARCH64);
    /** Per architecture of {@link #ARCHS}, the names by syscall number: looked up per record, with no boxing. */
    private static final String[][] NAMES = new String[ARCHS.size()][];

    static {
        for (int i = 0; i < ARCHS.size(); i++) {
            Map<String, Integer> all = ARCHS.get(i).all();
            String[] names = new String[all.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1];
            all.forEach((n, nr) -> names[nr] = n);
            NAMES[i] = names;
        }
    }

    private static final java.util.Set<String> FILE_CALLS = java.util.Set.copyOf(
            ARCHS.stream().flatMap(a -> a.fim().keySet().stream()).toList());

    private Syscalls() {}

    /** Whether the syscall (by name) is one of process_file_events' file calls. */
    static boolean isFileCall(String name) {
        return FILE_CALLS.contains(name);
    }

    private static Map<String, Integer> numbers(Object... nameThenNumber) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenNumber.length; i += 2) m.put((String) nameThenNumber[i], (Integer) nameThenNumber[i + 1]);
        return Map.copyOf(m);
    }

    /** The architectures whose syscalls this machine's processes make (native first). */
    static List<Arch> forThisMachine() {
        String a = System.getProperty("os.arch");
        if (a.equals("amd64") || a.equals("x86_64")) return List.of(X86_64, I386);
        if (a.equals("aarch64")) return List.of(AARCH64);
        throw new IllegalStateException("audit rules: unsupported architecture " + a + " (supported: x86_64, aarch64)");
    }

    /** The syscall's name when hostql audits it on some architecture, or null for any other syscall. */
    static String name(long arch, long nr) {
        int n = (int) nr;
        for (int i = 0; i < NAMES.length; i++) {
            if (ARCHS.get(i).audit == (int) arch) return n >= 0 && n < NAMES[i].length ? NAMES[i][n] : null;
        }
        return null;
    }

    static boolean isExec(String name) {
        return "execve".equals(name) || "execveat".equals(name);
    }

    static boolean isFork(String name) {
        return "clone".equals(name) || "fork".equals(name) || "vfork".equals(name);
    }

    static boolean isKill(String name) {
        return "kill".equals(name) || "tkill".equals(name) || "tgkill".equals(name);
    }

    static boolean isSocket(String name) {
        return X86_64.socket.containsKey(name);
    }
}
