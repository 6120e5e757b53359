package io.hostql.config.osquery;

import java.util.List;
import java.util.Map;

/**
 * Decorator queries: {@code load} run when the config loads, {@code always} before every scheduled
 * query, {@code interval} every N seconds (N a multiple of 60). Their one row's columns decorate
 * every result line.
 */
public record Decorators(List<String> load, List<String> always, Map<Long, List<String>> interval) {
    public static final Decorators NONE = new Decorators(List.of(), List.of(), Map.of());

    public Decorators {
        load = List.copyOf(load);
        always = List.copyOf(always);
        interval = Map.copyOf(interval);
    }

    public boolean isEmpty() {
        return load.isEmpty() && always.isEmpty() && interval.isEmpty();
    }
}
