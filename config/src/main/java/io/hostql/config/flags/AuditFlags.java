package io.hostql.config.flags;

import static io.hostql.config.flags.Reload.AT_RESTART;
import static io.hostql.config.flags.Reload.ON_SIGHUP;

/** Kernel audit: process_events, socket_events, user_events. */
public final class AuditFlags {
    public static final SettingGroup GROUP = new SettingGroup("audit", "Kernel audit: process_events, socket_events, user_events");

    public static final Setting<Boolean> DISABLE_AUDIT = GROUP.bool("disable_audit", true, AT_RESTART,
            "Disable the audit publisher (process_events, socket_events, user_events); it changes kernel audit settings");
    public static final Setting<String> AUDIT_MODE = GROUP.choice("audit_mode", "auto", ON_SIGHUP,
            "How hostqld uses kernel audit: owner (the audit daemon), coexist (read-only next to auditd), auto (coexist when another process owns audit)", "auto", "owner", "coexist");
    public static final Setting<Boolean> AUDIT_ALLOW_CONFIG = GROUP.bool("audit_allow_config", false, ON_SIGHUP,
            "Allow hostqld to install audit rules and enable audit in coexist mode (owner mode always configures audit)");
    public static final Setting<Boolean> AUDIT_ALLOW_PROCESS_EVENTS = GROUP.bool("audit_allow_process_events", true, AT_RESTART,
            "Audit execve and execveat: process_events");
    public static final Setting<Boolean> AUDIT_ALLOW_SOCKETS = GROUP.bool("audit_allow_sockets", false, AT_RESTART,
            "Audit bind, connect and accept: socket_events");
    public static final Setting<Boolean> AUDIT_ALLOW_ACCEPT_SOCKET_EVENTS = GROUP.bool("audit_allow_accept_socket_events", true, ON_SIGHUP,
            "Include accept and accept4 in socket_events");
    public static final Setting<Boolean> AUDIT_ALLOW_FAILED_SOCKET_EVENTS = GROUP.bool("audit_allow_failed_socket_events", false, ON_SIGHUP,
            "Keep failed socket syscalls in socket_events (status failed)");
    public static final Setting<Boolean> AUDIT_ALLOW_NULL_ACCEPT_SOCKET_EVENTS = GROUP.bool("audit_allow_null_accept_socket_events", false, ON_SIGHUP,
            "Keep non-blocking accept calls that found no client (status no_client)");
    public static final Setting<Boolean> AUDIT_ALLOW_UNIX = GROUP.bool("audit_allow_unix", false, ON_SIGHUP,
            "Keep UNIX domain sockets in socket_events (column socket)");
    public static final Setting<Boolean> AUDIT_ALLOW_USER_EVENTS = GROUP.bool("audit_allow_user_events", true, AT_RESTART,
            "Capture user-space audit records 1100-1199 (logins, PAM, sudo): user_events");
    public static final Setting<Boolean> AUDIT_ALLOW_SECCOMP_EVENTS = GROUP.bool("audit_allow_seccomp_events", false, AT_RESTART,
            "Keep the kernel's seccomp records (a filter's SECCOMP_RET_LOG or kill): seccomp_events");
    public static final Setting<Boolean> AUDIT_ALLOW_SELINUX_EVENTS = GROUP.bool("audit_allow_selinux_events", false, AT_RESTART,
            "Keep SELinux records (AVC, SELINUX_ERR, MAC_*, USER_AVC): selinux_events");
    public static final Setting<Boolean> AUDIT_ALLOW_APPARMOR_EVENTS = GROUP.bool("audit_allow_apparmor_events", false, AT_RESTART,
            "Keep AppArmor records (AVC or APPARMOR_* with an apparmor field): apparmor_events");
    public static final Setting<Boolean> AUDIT_ALLOW_FORK_PROCESS_EVENTS = GROUP.bool("audit_allow_fork_process_events", false, AT_RESTART,
            "Also audit fork, vfork and clone (not threads): process_events rows with syscall fork, vfork or clone");
    public static final Setting<Boolean> AUDIT_ALLOW_KILL_PROCESS_EVENTS = GROUP.bool("audit_allow_kill_process_events", false, AT_RESTART,
            "Also audit kill, tkill and tgkill: process_events rows with syscall kill, tkill or tgkill");
    public static final Setting<Boolean> AUDIT_ALLOW_FIM_EVENTS = GROUP.bool("audit_allow_fim_events", false, AT_RESTART,
            "Audit file syscalls (open, read, write, rename, unlink, link...) of every process: process_file_events on the config's file_paths");
    public static final Setting<Boolean> AUDIT_FIM_SHOW_ACCESSES = GROUP.bool("audit_fim_show_accesses", false, ON_SIGHUP,
            "process_file_events: also show opens, reads and closes (not only writes, renames, links and unlinks)");
    public static final Setting<Boolean> AUDIT_SHOW_PARTIAL_FIM_EVENTS = GROUP.bool("audit_show_partial_fim_events", false, ON_SIGHUP,
            "process_file_events: also show events hostql saw only in part (a file opened before hostqld started following it)");
    public static final Setting<Boolean> AUDIT_FIM_DEBUG = GROUP.bool("audit_fim_debug", false, ON_SIGHUP,
            "process_file_events: log each file syscall followed, at debug level");
    public static final Setting<Integer> AUDIT_BACKLOG_LIMIT = GROUP.int32("audit_backlog_limit", 8192, 0, Integer.MAX_VALUE, ON_SIGHUP,
            "Kernel audit backlog limit set in owner mode (records queued before the kernel drops them)");
    /**
     * The kernel refuses a backlog_wait_time above ten times its default of 60 s, 10 x 60 x HZ jiffies (kernel/audit.c, AUDIT_SET);
     * HZ is a build constant of at most 1000, so no kernel takes more than this. The running kernel's own bound, from its HZ,
     * is checked when audit starts (publishers' BacklogWaitTime).
     */
    public static final int BACKLOG_WAIT_TIME_MAX = 10 * 60 * 1000;
    public static final Setting<Integer> AUDIT_BACKLOG_WAIT_TIME = GROUP.int32("audit_backlog_wait_time", 0, 0, BACKLOG_WAIT_TIME_MAX, ON_SIGHUP,
            "Kernel audit backlog wait time set in owner mode, in jiffies (0: drop at once rather than stall the audited program;"
                    + " the kernel's default, 60 s, is 60 x HZ jiffies, and it refuses more than ten times that: 150000 at HZ 250, 600000 at HZ 1000)");
    /**
     * 32768 = two doublings of the default limit; a full backlog holds about 2.3 KB of kernel memory per record (an skb of the
     * kernel's 1 KiB audit buffer), so about 75 MB at this bound and 2.4 GB at the range's top.
     */
    public static final Setting<Integer> AUDIT_BACKLOG_LIMIT_MAX = GROUP.int32("audit_backlog_limit_max", 32768, 0, 1 << 20, ON_SIGHUP,
            "In owner mode, when the kernel loses records, double the backlog limit up to this bound (restored on stop; 0: never raise it)");

    /**
     * auditd's {@code priority_boost} (Debian's auditd.conf: 4), for the same reason: the reader competes for the CPUs with the
     * audited programs and kauditd, and what it does not read in time the kernel drops (issue 15: at 100,000 connects/s on
     * 2 CPUs, the reader at nice -5 lost 0 and 19,419 records where at nice 0 it lost 187,067 and 209,928).
     */
    public static final Setting<Integer> AUDIT_READER_PRIORITY_BOOST = GROUP.int32("audit_reader_priority_boost", 4, 0, 40, ON_SIGHUP,
            "Lower the nice value of hostqld's audit reader thread by this much, as auditd's priority_boost does, so that under a storm it"
                    + " keeps up with the kernel (needs CAP_SYS_NICE; 0: leave it)");

    private AuditFlags() {}
}
