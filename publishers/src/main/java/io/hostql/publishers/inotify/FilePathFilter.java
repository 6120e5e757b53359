package io.hostql.publishers.inotify;

import io.hostql.config.osquery.FileMonitoring;
import java.util.List;
import java.util.function.Predicate;

/**
 * Does a path fall under the config's {@code file_paths} and outside its {@code exclude_paths}? The same
 * patterns and rules as file_events' watches ({@link FilePattern}, {@link ExcludeSet}), for event sources
 * that see paths rather than place watches (process_file_events). Unlike osquery's audit FIM, which
 * resolves the patterns to the files that exist at configure time, a file created later matches too.
 */
public final class FilePathFilter implements Predicate<byte[]> {
    private final List<FilePattern> patterns;
    private final ExcludeSet excludes;

    private FilePathFilter(WatchTree.Compiled compiled) {
        this.patterns = compiled.patterns();
        this.excludes = compiled.excludes();
    }

    /** The filter for a configuration; invalid entries are logged and left out, as for file_events. */
    public static FilePathFilter of(FileMonitoring config) {
        return new FilePathFilter(WatchTree.compile(config));
    }

    /** An absolute path's bytes: true when some pattern selects it and no exclude covers it. */
    @Override
    public boolean test(byte[] path) {
        if (path == null || path.length == 0 || path[0] != '/' || patterns.isEmpty()) return false;
        byte[][] comps = PathBytes.components(path);
        if (excludes.excluded(comps)) return false;
        for (FilePattern p : patterns) if (p.matchesPath(comps)) return true;
        return false;
    }
}
