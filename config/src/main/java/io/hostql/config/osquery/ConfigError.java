package io.hostql.config.osquery;

/** A problem in an osquery config file, with where it is: "file:line: key: what is wrong". */
public record ConfigError(String file, int line, String key, String message, boolean fatal) {
    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + message;
    }
}
