package io.hostql.tables.os;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Directory listings as the tables walk config and package trees: entries sorted by name, and
 * nothing when the directory is missing or unreadable. (The files area lists raw-byte names
 * through readdir instead, see files.FilePatterns.list.)
 */
public final class Dirs {
    private Dirs() {}

    /** Every entry of dir, sorted; empty if it cannot be listed. */
    public static List<Path> sorted(Path dir) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) out.add(p);
        } catch (IOException | SecurityException e) {
            return new ArrayList<>();
        }
        out.sort(null);
        return out;
    }

    /** The regular files of dir (symlinks to them included), sorted; empty if it cannot be listed. */
    public static List<Path> regularFiles(Path dir) {
        List<Path> out = new ArrayList<>();
        for (Path p : sorted(dir)) if (Files.isRegularFile(p)) out.add(p);
        return out;
    }
}
