package io.hostql.config.osquery;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * osquery's file integrity monitoring keys: {@code file_paths} (category -> patterns with % and %%),
 * {@code exclude_paths} (category -> patterns), {@code file_accesses} (categories also watched for
 * opens and reads, and not hashed).
 */
public record FileMonitoring(Map<String, List<String>> filePaths, Map<String, List<String>> excludePaths,
        Set<String> fileAccesses) {
    public FileMonitoring {
        filePaths = Map.copyOf(filePaths);
        excludePaths = Map.copyOf(excludePaths);
        fileAccesses = Set.copyOf(fileAccesses);
    }

    public static FileMonitoring none() {
        return new FileMonitoring(Map.of(), Map.of(), Set.of());
    }

    public boolean isEmpty() {
        return filePaths.isEmpty();
    }
}
