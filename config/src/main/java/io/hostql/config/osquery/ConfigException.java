package io.hostql.config.osquery;

import java.util.List;

/** The config cannot be used; each error names its file, line and key. */
public final class ConfigException extends RuntimeException {
    private final List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.stream().map(ConfigError::toString).reduce((a, b) -> a + "\n" + b).orElse("invalid config"));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
