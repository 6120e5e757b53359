package io.hostql.tables.packages;

import io.hostql.tables.os.Dirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Gentoo's Portage files, as osquery's portage tables read them: the installed-package database
 * (/var/db/pkg/CATEGORY/NAME-VERSION/, one small file per field), the world set
 * (/var/lib/portage/world) and the /etc/portage package lists. root is "/" on a host; tests give
 * a tree of their own.
 */
final class Portage {
    private final Path root;

    Portage(Path root) {
        this.root = root;
    }

    Path file(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    /** The package directories /var/db/pkg/*&#47;*, sorted; none when the database is absent. */
    List<Path> packageDirs() {
        List<Path> out = new ArrayList<>();
        for (Path category : Dirs.sorted(file("/var/db/pkg"))) {
            if (!Files.isDirectory(category)) continue;
            for (Path pkg : Dirs.sorted(category)) if (Files.isDirectory(pkg)) out.add(pkg);
        }
        return out;
    }

    /** "CATEGORY/NAME-VERSION" of a package directory. */
    static String atom(Path pkgDir) {
        return pkgDir.getParent().getFileName() + "/" + pkgDir.getFileName();
    }

    /** A file's content trimmed, or null when it cannot be read. */
    static String field(Path pkgDir, String name) {
        try {
            return Files.readString(pkgDir.resolve(name), StandardCharsets.UTF_8).strip();
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    /**
     * The text of a Portage list: a file, or a directory of files read in name order (Portage
     * accepts both for /etc/portage/package.*); null when absent.
     */
    String list(String absolute) {
        Path p = file(absolute);
        try {
            if (Files.isDirectory(p)) {
                StringBuilder sb = new StringBuilder();
                for (Path f : Dirs.regularFiles(p)) {
                    if (f.getFileName().toString().startsWith(".")) continue;
                    sb.append(Files.readString(f, StandardCharsets.UTF_8)).append('\n');
                }
                return sb.toString();
            }
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    /** The whitespace-separated fields of each line that is not blank or a comment. */
    static List<String[]> lines(String text) {
        List<String[]> out = new ArrayList<>();
        if (text == null) return out;
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 0 || f[0].isEmpty() || f[0].startsWith("#")) continue;
            out.add(f);
        }
        return out;
    }

    /** A number field, or null. */
    static Long number(String s) {
        if (s == null) return null;
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * osquery's split of an atom into package and version: leading comparison operators stay with
     * the version (a lone "=" is dropped), and the version starts at the last "-" followed by a
     * digit, or the one before it ("1.2-r1").
     */
    static String[] splitAtom(String atom) {
        String s = atom.endsWith("/") ? atom.substring(0, atom.length() - 1) : atom;
        StringBuilder version = new StringBuilder();
        while (!s.isEmpty() && (s.charAt(0) == '>' || s.charAt(0) == '<' || s.charAt(0) == '=')) {
            if (!(version.length() == 0 && s.charAt(0) == '=')) version.append(s.charAt(0));
            s = s.substring(1);
        }
        int divider = s.indexOf('/');
        int dash = s.lastIndexOf('-');
        if (versionAt(s, dash, divider)) {
            version.append(s.substring(dash + 1));
            s = s.substring(0, dash);
        } else if (dash > 0) {
            dash = s.lastIndexOf('-', dash - 1);
            if (versionAt(s, dash, divider)) {
                version.append(s.substring(dash + 1));
                s = s.substring(0, dash);
            }
        }
        return new String[] {s, version.toString()};
    }

    private static boolean versionAt(String s, int dash, int divider) {
        return dash >= 0 && divider >= 0 && dash > divider && dash < s.length() - 1 && Character.isDigit(s.charAt(dash + 1));
    }
}
