package io.hostql.publishers.audit;

import io.hostql.os.Libc;
import io.hostql.os.proc.ProcFs;
import io.hostql.publishers.audit.AuditSocket.AuditException;
import io.hostql.publishers.audit.AuditState.Change;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes the kernel's audit settings for hostqld and puts them back: the state found is written to
 * {@code audit.state} (synced) before the first change, each change is undone on stop, and a state
 * file left by a hostqld that died is applied in reverse at the next start, before anything else.
 */
final class AuditControl {
    private static final Logger log = LoggerFactory.getLogger(AuditControl.class);
    static final String STATE_FILE = "audit.state";
    static final int LOCKED = 2;

    private final Path stateFile;
    private final AuditSocket control;
    private final int self;
    private AuditState applied;

    AuditControl(Path stateDir, AuditSocket control, int self) {
        this.stateFile = stateDir.resolve(STATE_FILE);
        this.control = control;
        this.self = self;
    }

    Path stateFile() {
        return stateFile;
    }

    /** Restores what a hostqld that died left changed; true when there was something to restore. */
    boolean restoreLeftover() {
        if (!Files.exists(stateFile)) return false;
        AuditState s;
        try {
            s = AuditState.read(stateFile);
        } catch (IOException e) {
            log.error("audit: cannot read {} ({}); the kernel audit settings a previous hostqld changed cannot be restored from it; moved aside",
                    stateFile, e.getMessage());
            moveAside();
            return false;
        }
        log.warn("audit: hostqld pid {} did not restore the kernel audit settings (it was killed or crashed); restoring them from {}",
                s.hostqldPid(), stateFile);
        restore(s, true);
        return true;
    }

    private void moveAside() {
        try {
            Files.move(stateFile, stateFile.resolveSibling(STATE_FILE + ".damaged-" + System.currentTimeMillis() / 1000));
        } catch (IOException e) {
            log.error("audit: cannot move {} aside: {}", stateFile, e.getMessage());
        }
    }

    /** Who owns audit now (0: nobody alive), other than this process. */
    int otherOwner(AuditStatus st) {
        int pid = st.pid();
        if (pid == 0 || pid == self) return 0;
        return alive(pid) ? pid : 0;
    }

    static boolean alive(int pid) {
        return Libc.kill(pid, 0) == 0 || com.sun.jna.Native.getLastError() == Libc.EPERM;
    }

    /** The process's name, for messages; "?" when it is gone. */
    static String comm(int pid) {
        String c = ProcFs.comm(pid);
        return c == null ? "?" : c;
    }

    /**
     * Owner mode: registers {@code events} as the audit daemon's socket, sets the backlog, installs the
     * rules and enables audit. Records that arrive during registration go to {@code early}.
     */
    void applyOwner(AuditStatus st, List<AuditRule> rules, int backlogLimit, int backlogWaitTime, AuditSocket events,
            Consumer<Integer> early) throws IOException {
        List<AuditRule> toAdd = missing(rules);
        Set<Change> changes = EnumSet.of(Change.PID);
        boolean locked = st.enabled() == LOCKED;
        if (!locked) {
            changes.add(Change.BACKLOG);
            if (st.enabled() == 0) changes.add(Change.ENABLED);
        }
        applied = new AuditState(ProcessHandle.current().pid(), "owner", st.enabled(), st.backlogLimit(), st.backlogWaitTime(), changes,
                locked ? List.of() : toAdd);
        applied.write(stateFile);
        events.set(AuditStatus.set(AuditStatus.PID, 0, 0, self, 0, 0), early);
        if (locked) {
            log.warn("audit: the kernel audit configuration is locked (enabled=2, immutable until reboot): rules and backlog cannot be"
                    + " changed; reading whatever the installed rules produce");
            return;
        }
        try {
            control.set(AuditStatus.set(AuditStatus.BACKLOG_LIMIT | AuditStatus.BACKLOG_WAIT_TIME, 0, 0, 0, backlogLimit, backlogWaitTime), null);
        } catch (AuditSocket.AuditException e) {
            throw new AuditSocket.AuditException(BacklogWaitTime.refused(backlogLimit, backlogWaitTime, e.errno), e.errno);
        }
        addRules(toAdd);
        if (st.enabled() == 0) control.set(AuditStatus.set(AuditStatus.ENABLED, 1, 0, 0, 0, 0), null);
    }

    /**
     * Sets the kernel's backlog_limit alone (audit_backlog_limit_max), only when hostql owns the backlog: the limit found at
     * start is in the state file already, so {@link #restore()} puts it back. False when hostql does not own it.
     */
    boolean setBacklogLimit(int limit) {
        if (applied == null || !applied.changed().contains(Change.BACKLOG)) return false;
        control.set(AuditStatus.set(AuditStatus.BACKLOG_LIMIT, 0, 0, 0, limit, 0), null);
        return true;
    }

    /** Coexist mode with audit_allow_config: installs the rules and enables audit if it is off; leaves the rest to the owner. */
    void applyCoexist(AuditStatus st, List<AuditRule> rules) throws IOException {
        if (st.enabled() == LOCKED) {
            log.warn("audit: the kernel audit configuration is locked (enabled=2): hostql's rules cannot be installed");
            return;
        }
        List<AuditRule> toAdd = missing(rules);
        Set<Change> changes = EnumSet.noneOf(Change.class);
        if (st.enabled() == 0) changes.add(Change.ENABLED);
        applied = new AuditState(ProcessHandle.current().pid(), "coexist", st.enabled(), st.backlogLimit(), st.backlogWaitTime(), changes, toAdd);
        applied.write(stateFile);
        addRules(toAdd);
        if (st.enabled() == 0) control.set(AuditStatus.set(AuditStatus.ENABLED, 1, 0, 0, 0, 0), null);
    }

    private List<AuditRule> missing(List<AuditRule> rules) {
        List<AuditRule> existing = control.rules();
        List<AuditRule> out = new ArrayList<>();
        for (AuditRule r : rules) if (!existing.contains(r)) out.add(r);
        return out;
    }

    private void addRules(List<AuditRule> rules) {
        for (AuditRule r : rules) {
            try {
                control.addRule(r);
            } catch (AuditException e) {
                if (e.errno != Libc.EEXIST) throw e;
            }
        }
    }

    /** Puts back what {@link #applyOwner}/{@link #applyCoexist} changed. */
    void restore() {
        if (applied == null) return;
        restore(applied, false);
        applied = null;
    }

    private void restore(AuditState s, boolean leftover) {
        boolean ok = true;
        AuditStatus now;
        try {
            now = control.status();
        } catch (AuditException e) {
            log.error("audit: cannot read the kernel audit status to restore it: {}", e.getMessage());
            return;
        }
        // A leftover from a dead hostqld: if someone else owns audit by now, its settings are its own.
        boolean otherOwner = leftover && otherOwner(now) != 0 && now.pid() != s.hostqldPid();
        if (s.changed().contains(Change.ENABLED) && now.enabled() != LOCKED && !otherOwner) {
            ok &= attempt("set enabled back to " + s.enabled(), () -> control.set(AuditStatus.set(AuditStatus.ENABLED, s.enabled(), 0, 0, 0, 0), null));
        }
        for (AuditRule r : s.rules()) {
            try {
                control.deleteRule(r);
            } catch (AuditException e) {
                if (e.errno != Libc.ENOENT) {
                    ok = false;
                    log.error("audit: cannot remove hostql's rule: {}", e.getMessage());
                }
            }
        }
        if (s.changed().contains(Change.BACKLOG) && !otherOwner) {
            ok &= attempt("set backlog_limit back to " + s.backlogLimit() + " and backlog_wait_time to " + s.backlogWaitTime(),
                    () -> control.set(AuditStatus.set(AuditStatus.BACKLOG_LIMIT | AuditStatus.BACKLOG_WAIT_TIME, 0, 0, 0,
                            s.backlogLimit(), s.backlogWaitTime()), null));
        }
        if (s.changed().contains(Change.PID) && (now.pid() == self || now.pid() == s.hostqldPid())) {
            // The kernel lets only the registered daemon unregister, unless that one is dead (then it resets it itself).
            ok &= attempt("unregister as the audit daemon", () -> control.set(AuditStatus.set(AuditStatus.PID, 0, 0, 0, 0, 0), null));
        }
        if (ok) {
            try {
                Files.deleteIfExists(stateFile);
            } catch (IOException e) {
                log.error("audit: cannot remove {}: {}", stateFile, e.getMessage());
            }
            log.info("audit: kernel audit settings restored ({} rules removed{})", s.rules().size(),
                    s.changed().isEmpty() ? "" : ", restored: " + s.changed());
        } else {
            log.error("audit: some kernel audit settings could not be restored; {} is kept so the next start tries again", stateFile);
        }
    }

    private static boolean attempt(String what, Runnable r) {
        try {
            r.run();
            return true;
        } catch (AuditException e) {
            log.error("audit: cannot {}: {}", what, e.getMessage());
            return false;
        }
    }
}
