package io.hostql.loggers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * osquery's filesystem logger: {@code <logger_path>/hostqld.results.log} and
 * {@code hostqld.snapshots.log}, one JSON document per line, mode {@code logger_mode}, rotated by
 * size ({@code logger_rotate_size}) keeping {@code logger_rotate_max_files} old files.
 */
public final class FilesystemLogger implements ResultLogger {
    public static final String RESULTS = "hostqld.results.log";
    public static final String SNAPSHOTS = "hostqld.snapshots.log";

    private final RotatingFile results, snapshots;

    /** rotateBytes <= 0 disables rotation. */
    public FilesystemLogger(Path loggerPath, String mode, long rotateBytes, int maxFiles) {
        RotatingFile.permissions(mode); // a bad mode is refused now, not at the first result
        this.results = new RotatingFile(loggerPath.resolve(RESULTS), mode, rotateBytes, maxFiles);
        this.snapshots = new RotatingFile(loggerPath.resolve(SNAPSHOTS), mode, rotateBytes, maxFiles);
    }

    @Override
    public void logResults(List<String> lines) {
        write(results, lines);
    }

    @Override
    public void logSnapshots(List<String> lines) {
        write(snapshots, lines);
    }

    private static void write(RotatingFile f, List<String> lines) {
        try {
            f.append(lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f.path() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        results.close();
        snapshots.close();
    }
}
