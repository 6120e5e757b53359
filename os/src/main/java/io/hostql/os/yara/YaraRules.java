package io.hostql.os.yara;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * Compiled rules (YR_RULES). Any number of threads may scan with them at once, each through a
 * {@link YaraScanner} of its own (libyara's rule: a scanner per thread). {@link #close()} frees them
 * once the last scanner is closed, so a cache may replace rules that a scan still uses.
 */
public final class YaraRules implements AutoCloseable {
    private final Pointer rules;
    private int scanners;
    private boolean closed;

    YaraRules(Pointer rules) {
        this.rules = rules;
    }

    /** A scanner for the calling thread; timeoutSeconds bounds each scan (0: none). */
    public YaraScanner scanner(int timeoutSeconds) throws YaraException {
        synchronized (this) {
            if (closed) throw new IllegalStateException("these YARA rules are closed");
            scanners++;
        }
        PointerByReference ref = new PointerByReference();
        int rc = LibYara.yr_scanner_create(rules, ref);
        if (rc != LibYara.ERROR_SUCCESS) {
            released();
            throw new YaraException("cannot create a YARA scanner: " + YaraException.describe(rc), rc);
        }
        return new YaraScanner(this, ref.getValue(), timeoutSeconds);
    }

    synchronized void released() {
        scanners--;
        if (closed && scanners == 0) LibYara.yr_rules_destroy(rules);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (scanners == 0) LibYara.yr_rules_destroy(rules);
    }
}
