package io.hostql.tables.packages;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** osquery's path patterns: '%' in a path component matches any run of characters within that component. */
public final class PathPatterns {
    private PathPatterns() {}

    /** The existing paths matching an absolute pattern, sorted within each level. */
    public static List<String> resolve(String pattern) {
        List<String> current = new ArrayList<>();
        current.add("");
        for (String part : pattern.split("/")) {
            if (part.isEmpty()) continue;
            List<String> next = new ArrayList<>();
            for (String base : current) {
                String dir = base.isEmpty() ? "/" : base;
                if (part.indexOf('%') < 0) {
                    next.add(base + "/" + part);
                    continue;
                }
                List<String> names = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(dir))) {
                    for (Path p : ds) {
                        String n = p.getFileName().toString();
                        if (matches(part, n)) names.add(n);
                    }
                } catch (IOException | SecurityException e) {
                    continue;
                }
                names.sort(null);
                for (String n : names) next.add(base + "/" + n);
            }
            current = next;
        }
        List<String> out = new ArrayList<>();
        for (String p : current) if (!p.isEmpty() && Files.exists(Path.of(p))) out.add(p);
        return out;
    }

    /** Whether a name matches a component pattern where '%' stands for any characters. */
    static boolean matches(String pattern, String name) {
        return match(pattern, 0, name, 0);
    }

    private static boolean match(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '%') {
                for (int k = si; k <= s.length(); k++) if (match(p, pi + 1, s, k)) return true;
                return false;
            }
            if (si >= s.length() || s.charAt(si) != c) return false;
            pi++;
            si++;
        }
        return si == s.length();
    }
}
