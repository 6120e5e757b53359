package io.hostql.shell;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.hostql.sql.QueryResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Prints one statement's rows in the shell's current mode, laid out as osqueryi does. */
final class ResultPrinter {
    private ResultPrinter() {}

    static void print(QueryResult r, ShellSettings s, PrintStream out) {
        switch (s.mode) {
            case PRETTY -> pretty(r, s, out);
            case LINE -> line(r, s, out);
            case CSV -> delimited(r, s, out, true);
            case LIST -> delimited(r, s, out, false);
            case COLUMN -> column(r, s, out);
            case JSON -> json(r, out, false);
            case JSON_PRETTY -> json(r, out, true);
        }
        out.flush();
    }

    private static List<String[]> texts(QueryResult r, String nullValue) {
        List<String[]> rows = new ArrayList<>(r.rows().size());
        for (Object[] row : r.rows()) {
            String[] t = new String[row.length];
            for (int i = 0; i < row.length; i++) t[i] = QueryResult.text(row[i], nullValue);
            rows.add(t);
        }
        return rows;
    }

    /** Display width: code points, as osquery's printer counts UTF-8 characters. */
    private static int width(String s) {
        return s.codePointCount(0, s.length());
    }

    private static String pad(String s, int w) {
        int n = w - width(s);
        return n <= 0 ? s : s + " ".repeat(n);
    }

    private static void pretty(QueryResult r, ShellSettings s, PrintStream out) {
        if (r.rows().isEmpty()) return;
        List<String[]> rows = texts(r, s.nullValue);
        int n = r.columns().size();
        int[] w = new int[n];
        for (int i = 0; i < n; i++) w[i] = s.headers ? width(r.columns().get(i)) : 0;
        for (String[] row : rows) for (int i = 0; i < n; i++) w[i] = Math.max(w[i], width(row[i]));
        StringBuilder sep = new StringBuilder("+");
        for (int i = 0; i < n; i++) sep.append("-".repeat(w[i] + 2)).append('+');
        out.println(sep);
        if (s.headers) {
            out.println(prettyLine(r.columns().toArray(new String[0]), w));
            out.println(sep);
        }
        for (String[] row : rows) out.println(prettyLine(row, w));
        out.println(sep);
    }

    private static String prettyLine(String[] cells, int[] w) {
        StringBuilder sb = new StringBuilder("|");
        for (int i = 0; i < cells.length; i++) sb.append(' ').append(pad(cells[i], w[i])).append(" |");
        return sb.toString();
    }

    private static void line(QueryResult r, ShellSettings s, PrintStream out) {
        int w = 0;
        for (String c : r.columns()) w = Math.max(w, width(c));
        boolean first = true;
        for (String[] row : texts(r, s.nullValue)) {
            if (!first) out.println();
            first = false;
            for (int i = 0; i < row.length; i++) {
                String c = r.columns().get(i);
                out.println(" ".repeat(w - width(c)) + c + " = " + row[i]);
            }
        }
    }

    private static void delimited(QueryResult r, ShellSettings s, PrintStream out, boolean csv) {
        String sep = csv ? "," : s.separator;
        if (s.headers && !r.columns().isEmpty()) out.println(join(r.columns().toArray(new String[0]), sep, csv));
        for (String[] row : texts(r, s.nullValue)) out.println(join(row, sep, csv));
    }

    private static String join(String[] cells, String sep, boolean csv) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) sb.append(sep);
            sb.append(csv ? csvQuote(cells[i], sep) : cells[i]);
        }
        return sb.toString();
    }

    private static String csvQuote(String v, String sep) {
        if (v.contains("\"") || v.contains(sep) || v.contains("\n") || v.contains("\r") || v.startsWith(" ") || v.endsWith(" ")) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    private static void column(QueryResult r, ShellSettings s, PrintStream out) {
        List<String[]> rows = texts(r, s.nullValue);
        int n = r.columns().size();
        int[] w = new int[n];
        for (int i = 0; i < n; i++) w[i] = Math.max(10, width(r.columns().get(i)));
        for (String[] row : rows) for (int i = 0; i < n; i++) w[i] = Math.max(w[i], width(row[i]));
        if (s.headers) {
            String[] dashes = new String[n];
            for (int i = 0; i < n; i++) dashes[i] = "-".repeat(w[i]);
            out.println(columnLine(r.columns().toArray(new String[0]), w));
            out.println(columnLine(dashes, w));
        }
        for (String[] row : rows) out.println(columnLine(row, w));
    }

    private static String columnLine(String[] cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) sb.append("  ");
            sb.append(i == cells.length - 1 ? cells[i] : pad(cells[i], w[i]));
        }
        return sb.toString();
    }

    /** osquery's layout: "[", one object per row with every value as a string (NULL as ""), "]". */
    private static void json(QueryResult r, PrintStream out, boolean pretty) {
        JsonStringEncoder enc = JsonStringEncoder.getInstance();
        out.println("[");
        List<String[]> rows = texts(r, "");
        for (int k = 0; k < rows.size(); k++) {
            String[] row = rows.get(k);
            StringBuilder sb = new StringBuilder(pretty ? "  {\n" : "  {");
            for (int i = 0; i < row.length; i++) {
                if (i > 0) sb.append(pretty ? ",\n" : ",");
                if (pretty) sb.append("    ");
                sb.append('"').append(enc.quoteAsString(r.columns().get(i))).append(pretty ? "\": \"" : "\":\"")
                        .append(enc.quoteAsString(row[i])).append('"');
            }
            sb.append(pretty ? "\n  }" : "}");
            if (k < rows.size() - 1) sb.append(',');
            out.println(sb);
        }
        out.println("]");
    }
}
