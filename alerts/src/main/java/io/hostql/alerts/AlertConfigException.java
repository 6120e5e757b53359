package io.hostql.alerts;

/** An alert rule that cannot be used; the message names the rule ("alerts.<name>: ..."). */
public final class AlertConfigException extends RuntimeException {
    public AlertConfigException(String message) {
        super(message);
    }
}
