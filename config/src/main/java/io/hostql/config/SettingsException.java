package io.hostql.config;

/** A bad flag or settings value; the message names it. */
public final class SettingsException extends RuntimeException {
    public SettingsException(String message) {
        super(message);
    }
}
