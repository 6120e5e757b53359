package io.hostql.publishers.audit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The syscalls hostql audits, by audit architecture: numbers for the rules, names for the events.
 * x86_64 also gets an i386 exec rule, so a 32-bit program's execve is not missed; 32-bit socket calls
 * (socketcall) are not audited.
 */
final class Syscalls {
    static final int ARCH_X86_64 = 0xC000003E, ARCH_I386 = 0x40000003, ARCH_AARCH64 = 0xC00000B7;

    /** One architecture's exec and socket syscall numbers. */
    record Arch(int audit, Map<String, Integer> exec, Map<String, Integer> socket) {
        List<Integer> numbers(Map<String, Integer> m) {
            return List.copyOf(m.values());
        }
    }

    private static final Arch X86_64 = new Arch(ARCH_X86_64, Map.of("execve", 59, "execveat", 322),
            Map.of("bind", 49, "connect", 42, "accept", 43, "accept4", 288));
    private static final Arch I386 = new Arch(ARCH_I386, Map.of("execve", 11, "execveat", 358), Map.of());
    private static final Arch AARCH64 = new Arch(ARCH_AARCH64, Map.of("execve", 221, "execveat", 281),
            Map.of("bind", 200, "connect", 203, "accept", 202, "accept4", 242));

    private static final Map<Long, String> NAMES = new HashMap<>();

    static {
        for (Arch a : List.of(X86_64, I386, AARCH64)) {
            a.exec.forEach((n, nr) -> NAMES.put(key(a.audit, nr), n));
            a.socket.forEach((n, nr) -> NAMES.put(key(a.audit, nr), n));
        }
    }

    private Syscalls() {}

    private static long key(int arch, int nr) {
        return (arch & 0xffffffffL) << 32 | (nr & 0xffffffffL);
    }

    /** The architectures whose syscalls this machine's processes make (native first). */
    static List<Arch> forThisMachine() {
        String a = System.getProperty("os.arch");
        if (a.equals("amd64") || a.equals("x86_64")) return List.of(X86_64, I386);
        if (a.equals("aarch64")) return List.of(AARCH64);
        throw new IllegalStateException("audit rules: unsupported architecture " + a + " (supported: x86_64, aarch64)");
    }

    /** execve, execveat, bind, connect, accept, accept4, or null for any other syscall. */
    static String name(long arch, long nr) {
        return NAMES.get(key((int) arch, (int) nr));
    }

    static boolean isExec(String name) {
        return "execve".equals(name) || "execveat".equals(name);
    }
}
