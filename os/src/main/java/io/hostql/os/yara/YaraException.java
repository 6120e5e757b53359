package io.hostql.os.yara;

/** A rule that does not compile, a file or process that cannot be scanned, or libyara missing: the message says which. */
public final class YaraException extends Exception {
    private final int code;

    public YaraException(String message) {
        this(message, -1);
    }

    YaraException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** libyara's error code (ERROR_* in yara/error.h), or -1 when the error is not libyara's. */
    public int code() {
        return code;
    }

    /** Whether the scan ran out of its time (ERROR_SCAN_TIMEOUT). */
    public boolean timedOut() {
        return code == 26;
    }

    /** libyara's error codes (yara/error.h, 4.2) that a scan or compile here can return, in words. */
    static String describe(int rc) {
        return switch (rc) {
            case 1 -> "insufficient memory";
            case 2 -> "could not attach to the process";
            case 3 -> "could not open the file";
            case 4 -> "could not map the file";
            case 6 -> "not a saved rules file";
            case 26 -> "the scan timed out";
            case 27 -> "too many scan threads";
            case 47 -> "could not read the process memory";
            default -> "libyara error " + rc;
        };
    }
}
