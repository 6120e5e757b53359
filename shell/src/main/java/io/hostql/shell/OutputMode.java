package io.hostql.shell;

import java.util.Locale;

/** The shell's output modes, as osqueryi (JSON modes are chosen by flag only). */
public enum OutputMode {
    PRETTY, LINE, CSV, LIST, COLUMN, JSON, JSON_PRETTY;

    /** Parses a .mode argument; null when it is not one. */
    public static OutputMode parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "pretty" -> PRETTY;
            case "line", "lines" -> LINE;
            case "csv" -> CSV;
            case "list" -> LIST;
            case "column", "columns" -> COLUMN;
            default -> null;
        };
    }
}
