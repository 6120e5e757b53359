package io.hostql.config;

import java.util.List;

/** A bad flag or settings value; the message names it. */
public final class SettingsException extends RuntimeException {
    private final List<String> warnings;

    public SettingsException(String message) {
        this(message, List.of());
    }

    /** warnings: what parsing found before it failed, for --config_check to report with the error. */
    public SettingsException(String message, List<String> warnings) {
        super(message);
        this.warnings = List.copyOf(warnings);
    }

    public List<String> warnings() {
        return warnings;
    }
}
