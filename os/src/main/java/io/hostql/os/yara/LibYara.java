package io.hostql.os.yara;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * libyara 4.2 (Debian's libyara9, soname libyara.so.9), bound with JNA direct mapping. The soname
 * pins the ABI: the struct offsets below were read from that version's headers (offsetof on
 * x86-64), and a libyara with another soname is not loaded. Check {@link #problem()} before use.
 */
final class LibYara {
    static final int ERROR_SUCCESS = 0, ERROR_INVALID_FILE = 6;
    static final int CALLBACK_MSG_RULE_MATCHING = 1, CALLBACK_CONTINUE = 0, CALLBACK_ERROR = 2;
    static final int SCAN_FLAGS_FAST_MODE = 1;
    /**
     * No libyara try/catch: without it each scan swaps in a SIGSEGV/SIGBUS handler of its own that returns for a fault not
     * its own (4.2: no chaining) and, with two scans at once, can stay installed after both; the JVM's own SIGSEGVs
     * (implicit null checks, safepoint polls) then fault again forever. As go-yara does for the Go runtime.
     */
    static final int SCAN_FLAGS_NO_TRYCATCH = 4;
    static final int YARA_ERROR_LEVEL_ERROR = 0;

    // YR_RULE: identifier, tags (NUL-separated, ended by an empty string), strings (an array, the last flagged)
    static final int RULE_IDENTIFIER = 8, RULE_TAGS = 16, RULE_STRINGS = 32;
    // YR_STRING
    static final int STRING_SIZE = 56, STRING_FLAGS = 0, STRING_IDX = 4, STRING_IDENTIFIER = 48;
    static final int STRING_FLAGS_LAST_IN_RULE = 0x1000;
    // YR_SCAN_CONTEXT.matches: YR_MATCHES[] indexed by the string's idx, each {head, tail, count}
    static final int CONTEXT_MATCHES = 160, MATCHES_SIZE = 24, MATCHES_HEAD = 0;
    // YR_MATCH
    static final int MATCH_BASE = 0, MATCH_OFFSET = 8, MATCH_NEXT = 40, MATCH_IS_PRIVATE = 52;

    private static final String PROBLEM = bind();

    private LibYara() {}

    private static String bind() {
        try {
            Native.register(LibYara.class, NativeLibrary.getInstance("libyara.so.9"));
        } catch (UnsatisfiedLinkError e) {
            return "libyara (libyara.so.9) is not installed; install it with: apt-get install libyara9 (" + e.getMessage() + ")";
        }
        // yr_initialize counts references: once for the process, never finalized (rules live as long as their cache).
        int rc = yr_initialize();
        return rc == ERROR_SUCCESS ? null : "libyara could not initialize: " + YaraException.describe(rc);
    }

    /** Null when libyara is usable, else why not and how to fix it. */
    static String problem() {
        return PROBLEM;
    }

    interface CompilerCallback extends Callback {
        void invoke(int errorLevel, Pointer fileName, int lineNumber, Pointer rule, Pointer message, Pointer userData);
    }

    interface ScanCallback extends Callback {
        int invoke(Pointer context, int message, Pointer messageData, Pointer userData);
    }

    static native int yr_initialize();
    static native int yr_compiler_create(PointerByReference compiler);
    static native void yr_compiler_destroy(Pointer compiler);
    static native void yr_compiler_set_callback(Pointer compiler, CompilerCallback callback, Pointer userData);
    /** Returns the number of errors. */
    static native int yr_compiler_add_fd(Pointer compiler, int fd, byte[] namespace, byte[] fileName);
    /** Returns the number of errors. */
    static native int yr_compiler_add_string(Pointer compiler, byte[] rules, byte[] namespace);
    static native int yr_compiler_get_rules(Pointer compiler, PointerByReference rules);
    /** Saved (yarac-compiled) rules; ERROR_INVALID_FILE when the file is source instead. */
    static native int yr_rules_load(byte[] fileName, PointerByReference rules);
    static native int yr_rules_destroy(Pointer rules);
    static native int yr_scanner_create(Pointer rules, PointerByReference scanner);
    static native void yr_scanner_destroy(Pointer scanner);
    static native void yr_scanner_set_callback(Pointer scanner, ScanCallback callback, Pointer userData);
    static native void yr_scanner_set_timeout(Pointer scanner, int seconds);
    static native void yr_scanner_set_flags(Pointer scanner, int flags);
    static native int yr_scanner_scan_file(Pointer scanner, byte[] fileName);
    static native int yr_scanner_scan_mem(Pointer scanner, Pointer buffer, long bufferSize);
    static native int yr_scanner_scan_proc(Pointer scanner, int pid);
}
