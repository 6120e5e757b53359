package io.hostql.tables.yara;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.REQUIRED;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.config.Settings;
import io.hostql.config.osquery.YaraConfig;
import io.hostql.os.yara.Yara;
import io.hostql.os.yara.YaraException;
import io.hostql.os.yara.YaraMatches;
import io.hostql.os.yara.YaraRules;
import io.hostql.os.yara.YaraScanner;
import io.hostql.os.yara.YaraSignatures;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableAlias;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.files.FilePath;
import io.hostql.tables.files.FilePatterns;
import io.hostql.tables.files.FileStat;
import io.hostql.tables.self.AgentInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * yara_file (alias yara) and yara_process: on-demand YARA scans of the files a query names by
 * {@code path} (= or LIKE, regular files only) or of the processes it names by {@code pid}, with the
 * rules of {@code sig_group} (the config's yara.signatures), {@code sigfile} or, only under
 * --enable_yara_sigrule, {@code sigrule}: one row per target and rule set, as osquery. A target that
 * cannot be scanned (gone, unreadable, a process that cannot be attached) gives no row, as in
 * osquery; a query without rules, or with rules that do not compile, is an error naming them.
 */
public final class YaraTable implements Table {
    enum Target { FILE, PROCESS }

    private enum Kind { GROUP("sig_group"), FILE("sigfile"), RULE("sigrule");
        final String column;

        Kind(String column) {
            this.column = column;
        }
    }

    private record Signature(Kind kind, String name, YaraRules rules) {}

    private final TableSchema schema;
    private final Target target;
    private final YaraOptions options;
    private final Supplier<YaraConfig> config;

    YaraTable(Target target, YaraOptions options, Supplier<YaraConfig> config) {
        this.target = target;
        this.options = options;
        this.config = config;
        TableSchema.Builder b = target == Target.FILE
                ? TableSchema.builder("yara_file", "Triggers one-off YARA query for files at the specified path. Requires one of `sig_group`, `sigfile`, or `sigrule`.")
                        .text("path", REQUIRED, INDEX)
                : TableSchema.builder("yara_process", "Triggers one-off YARA query for the memory of the process with the specified pid. Requires one of `sig_group`, `sigfile`, or `sigrule`.")
                        .integer("pid", REQUIRED, INDEX);
        schema = b.text("matches").integer("count").text("sig_group", ADDITIONAL).text("sigfile", ADDITIONAL)
                .text("sigrule", ADDITIONAL, HIDDEN).text("strings").text("tags").text("sigurl", ADDITIONAL, HIDDEN)
                .integer("pid_with_namespace", ADDITIONAL, HIDDEN)
                .build();
    }

    /**
     * yara_file, its alias yara (the name Fleet's queries use) and yara_process, on the running config's
     * yara key (none in a shell without a config: sigfile, and sigrule under its flag, still work).
     */
    public static List<Table> all(Settings settings) {
        YaraOptions options = YaraOptions.of(settings);
        Supplier<YaraConfig> config = new RunningConfig();
        YaraTable file = new YaraTable(Target.FILE, options, config);
        return List.of(file, new TableAlias("yara", file), new YaraTable(Target.PROCESS, options, config));
    }

    /**
     * The running config's yara key, parsed once per config: the daemon's reload sets a new JSON tree, so the key
     * is another node (the shell's config never changes). Checked when that config was loaded; here only read.
     */
    static final class RunningConfig implements Supplier<YaraConfig> {
        private record Parsed(JsonNode key, YaraConfig config) {}

        private volatile Parsed last = new Parsed(null, YaraConfig.EMPTY);

        @Override
        public YaraConfig get() {
            JsonNode key = AgentInfo.configKey("yara");
            Parsed p = last;
            if (p.key() != key) last = p = new Parsed(key, YaraConfig.of(key));
            return p.config();
        }
    }

    @Override
    public TableSchema schema() {
        return schema;
    }

    @Override
    public boolean shareable() {
        return false; // rule files and targets change between two queries of a tick; a scan is not worth reusing
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        String name = schema.name();
        if (Yara.problem() != null) throw new IllegalStateException(Yara.problem());
        if (ctx.hasConstraint("sigurl")) {
            throw new IllegalArgumentException(name + ": hostql does not fetch YARA rules over the network (sigurl); use sigfile or sig_group");
        }
        if (ctx.hasConstraint("pid_with_namespace")) {
            throw new IllegalArgumentException(name + ": pid_with_namespace is not supported by the yara tables yet");
        }
        List<Signature> signatures = new ArrayList<>();
        List<YaraRules> owned = new ArrayList<>();
        try {
            collect(ctx, signatures, owned);
            if (signatures.isEmpty()) throw new IllegalArgumentException(name + " needs one of sig_group, sigfile or sigrule"
                    + (ctx.hasConstraint("sigrule") ? " (sigrule only with --enable_yara_sigrule)" : ""));
            scan(ctx, signatures, rows);
        } finally {
            for (YaraRules r : owned) r.close();
            options.trim();
        }
    }

    private void collect(QueryContext ctx, List<Signature> out, List<YaraRules> owned) {
        YaraConfig yara = config.get();
        for (String group : ctx.equalsText("sig_group")) out.add(new Signature(Kind.GROUP, group, rules(() -> YaraSignatures.SHARED.group(group, yara.group(group)))));
        for (String file : ctx.equalsText("sigfile")) out.add(new Signature(Kind.FILE, file, rules(() -> YaraSignatures.SHARED.file(file.startsWith("/") ? Path.of(file) : YaraConfig.HOME.resolve(file)))));
        if (!options.sigrule()) return; // osquery's rule: without the flag sigrule is not an input
        for (String rule : ctx.equalsText("sigrule")) {
            // Compiled for this query only: rules from queries are not cached (osquery drops them after the query too).
            YaraRules r = rules(() -> Yara.compileText(rule));
            owned.add(r);
            out.add(new Signature(Kind.RULE, rule, r));
        }
    }

    private interface Compile {
        YaraRules run() throws YaraException;
    }

    private YaraRules rules(Compile compile) {
        try {
            return compile.run();
        } catch (YaraException e) {
            throw new IllegalArgumentException(schema.name() + ": " + e.getMessage(), e);
        }
    }

    private void scan(QueryContext ctx, List<Signature> signatures, RowSink rows) throws Exception {
        List<YaraScanner> scanners = new ArrayList<>();
        try {
            for (Signature s : signatures) scanners.add(s.rules().scanner(options.timeoutSeconds()));
            boolean first = true;
            for (Object t : targets(ctx)) {
                for (int i = 0; i < signatures.size(); i++) {
                    if (!first && options.delayMillis() > 0) Thread.sleep(options.delayMillis());
                    first = false;
                    Signature s = signatures.get(i);
                    YaraMatches m = new YaraMatches();
                    try {
                        if (t instanceof FilePath p) scanners.get(i).scanFile(p.bytes(), m);
                        else scanners.get(i).scanProcess((int) (long) (Long) t, m);
                    } catch (YaraException e) {
                        LoggerFactory.getLogger(YaraTable.class).debug("{}: {}", schema.name(), e.getMessage());
                        continue; // no row for what cannot be scanned, as osquery
                    }
                    RowSink.Row row = rows.add();
                    if (t instanceof FilePath p) row.set("path", p.toString());
                    else row.set("pid", t);
                    row.set("matches", m.matchesText()).set("count", m.count())
                            .set("sig_group", s.kind() == Kind.GROUP ? s.name() : "").set("sigfile", s.kind() == Kind.FILE ? s.name() : "")
                            .set("sigrule", s.kind() == Kind.RULE ? s.name() : "")
                            // strings of a query's own rules are private unless enable_yara_string: they could echo memory out
                            .set("strings", s.kind() == Kind.RULE && !options.sigruleStrings() ? "" : m.stringsText())
                            .set("tags", m.tagsText()).set("sigurl", "").set("pid_with_namespace", 0);
                }
            }
        } finally {
            for (YaraScanner s : scanners) s.close();
        }
    }

    private List<?> targets(QueryContext ctx) {
        if (target == Target.PROCESS) return new ArrayList<>(ctx.equalsLong("pid"));
        List<FilePath> files = new ArrayList<>();
        for (FilePath p : FilePatterns.fromConstraints(ctx, "path", FilePatterns.Kind.FILES)) {
            FileStat st = FileStat.stat(p);
            if (st != null && st.isRegular()) files.add(p); // devices, FIFOs and /proc files are not scanned, as osquery
        }
        return files;
    }
}
