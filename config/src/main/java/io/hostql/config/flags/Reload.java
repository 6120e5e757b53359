package io.hostql.config.flags;

/** Whether a changed value in the config's options takes effect on SIGHUP, or only when hostqld restarts. */
public enum Reload {
    ON_SIGHUP,
    AT_RESTART
}
