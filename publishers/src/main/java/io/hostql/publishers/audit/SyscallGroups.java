package io.hostql.publishers.audit;

/**
 * The syscalls audited beyond exec and sockets, as osquery's flags ask: fork, vfork and clone
 * ({@code audit_allow_fork_process_events}), kill, tkill and tgkill ({@code audit_allow_kill_process_events}),
 * and the file syscalls of process_file_events ({@code audit_allow_fim_events}, which also needs the forks
 * to follow file descriptors into children).
 */
public record SyscallGroups(boolean forks, boolean kills, boolean files) {
    public static final SyscallGroups NONE = new SyscallGroups(false, false, false);
}
