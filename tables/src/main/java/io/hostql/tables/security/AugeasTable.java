package io.hostql.tables.security;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.INDEX;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * augeas (alias configurations): configuration files as libaugeas parses them with its lenses, one
 * row per tree node under /files. As osquery: every file the lenses know is (re)loaded for each
 * query; {@code node} (= an augeas path expression, LIKE with % as * and %% as /*) and {@code path}
 * (a file: its whole subtree) narrow the match; without them it is {@code /files//*}. The lenses
 * come from the augeas_lenses flag (here Debian's augeas-lenses directory by default). Without
 * libaugeas the table is empty, with one warning.
 */
public final class AugeasTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("augeas", "Configuration files parsed by augeas.")
            .text("node", INDEX).text("value").text("label").text("path", ADDITIONAL)
            .build();

    private final String root;
    private final String lenses;
    private Pointer aug;
    private boolean failed;
    private boolean warned;

    /** lenses: the directory of .aug lenses (osquery's augeas_lenses). */
    public AugeasTable(String lenses) {
        this(null, lenses);
    }

    /** root: the directory augeas treats as "/" (tests); null for the real root. */
    AugeasTable(String root, String lenses) {
        this.root = root;
        this.lenses = lenses;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        Set<String> patterns = new LinkedHashSet<>(ctx.equalsText("node"));
        for (String node : ctx.likeText("node")) if (!node.isEmpty()) patterns.add(pattern(node, true, false));
        for (String path : ctx.equalsText("path")) if (!path.isEmpty()) patterns.add(pattern(path, false, true));
        for (String path : ctx.likeText("path")) if (!path.isEmpty()) patterns.add(pattern(path, true, true));
        String expr = patterns.isEmpty() ? "/files//*" : String.join("|", patterns);
        // An augeas handle is not thread-safe: one query at a time uses it.
        synchronized (this) {
            Pointer a = handle();
            if (a == null) return;
            if (LibAugeas.aug_load(a) != 0) {
                warnOnce("augeas could not load the configuration files: " + errorMessage(a));
                return;
            }
            match(a, expr, rows);
        }
    }

    /** osquery's patternFromOsquery: a file path gains /files and, without a trailing wildcard, //* . */
    static String pattern(String input, boolean like, boolean isPath) {
        String p = isPath ? "/files" + input : input;
        if (like) p = p.replace("%%", "/*").replace("%", "*");
        if (isPath && !p.endsWith("*")) p += "//*";
        return p;
    }

    private Pointer handle() {
        if (aug != null || failed) return aug;
        if (LibAugeas.problem() != null) {
            failed = true;
            warnOnce(LibAugeas.problem());
            return null;
        }
        Pointer a = LibAugeas.aug_init(root == null ? null : cstr(root), cstr(lenses),
                LibAugeas.AUG_NO_ERR_CLOSE | LibAugeas.AUG_NO_LOAD | LibAugeas.AUG_NO_STDINC | LibAugeas.AUG_SAVE_NOOP);
        if (a == null || LibAugeas.aug_error(a) != LibAugeas.AUG_NOERROR) {
            failed = true;
            warnOnce("augeas could not start with the lenses in " + lenses + (a == null ? "" : ": " + errorMessage(a)));
            if (a != null) LibAugeas.aug_close(a);
            return null;
        }
        aug = a;
        return aug;
    }

    private static void match(Pointer a, String expr, RowSink rows) {
        byte[] var = cstr("matches");
        if (LibAugeas.aug_defvar(a, var, cstr(expr)) < 0) {
            // a malformed expression in a constraint matches nothing, as in osquery (which logs it)
            log().debug("augeas rejected the expression {}: {}", expr, errorMessage(a));
            return;
        }
        PointerByReference ref = new PointerByReference();
        int n = LibAugeas.aug_match(a, cstr("$matches"), ref);
        Pointer matches = ref.getValue();
        if (matches == null) return;
        try {
            for (int i = 0; i < n; i++) {
                Pointer m = matches.getPointer((long) i * Native.POINTER_SIZE);
                if (m == null) continue;
                String node = m.getString(0, "UTF-8");
                Native.free(Pointer.nativeValue(m));
                PointerByReference value = new PointerByReference(), label = new PointerByReference(),
                        file = new PointerByReference();
                if (LibAugeas.aug_ns_attr(a, var, i, value, label, file) < 0) {
                    for (int j = i + 1; j < n; j++) free(matches.getPointer((long) j * Native.POINTER_SIZE));
                    return;
                }
                String path = "";
                Pointer f = file.getValue();
                if (f != null) {
                    String s = f.getString(0, "UTF-8");
                    path = s.length() >= 6 ? s.substring(6) : "";
                    Native.free(Pointer.nativeValue(f));
                } else if (node.startsWith("/files")) {
                    path = node.substring(6);
                }
                rows.add().set("node", node).set("value", text(value.getValue())).set("label", text(label.getValue()))
                        .set("path", path);
            }
        } finally {
            Native.free(Pointer.nativeValue(matches));
        }
    }

    private static void free(Pointer p) {
        if (p != null) Native.free(Pointer.nativeValue(p));
    }

    private static String text(Pointer p) {
        return p == null ? "" : p.getString(0, "UTF-8");
    }

    private static String errorMessage(Pointer a) {
        Pointer p = LibAugeas.aug_error_message(a);
        return p == null ? "unknown error" : p.getString(0, "UTF-8");
    }

    private void warnOnce(String message) {
        if (warned) return;
        warned = true;
        log().warn(message);
    }

    /** Looked up when first needed: the shell, which logs nothing else, does not start logging for a table that works. */
    private static Logger log() {
        return LoggerFactory.getLogger(AugeasTable.class);
    }

    private static byte[] cstr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }
}
