package io.hostql.tables.packages;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * portage_keywords: the atoms of /etc/portage/package.keywords (with their first keyword),
 * package.mask and package.unmask, one row per atom with its mask and unmask flags, as osquery
 * merges them (an atom is the same entry in all three when written the same way).
 */
public final class PortageKeywordsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("portage_keywords", "A summary about portage configurations like keywords, mask and unmask.")
            .text("package").text("version").text("keyword").integer("mask").integer("unmask")
            .build();

    private final Portage portage;

    public PortageKeywordsTable() {
        this(Path.of("/"));
    }

    PortageKeywordsTable(Path root) {
        this.portage = new Portage(root);
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    private static final class Entry {
        final String[] pv;
        String keyword = "";
        int mask;
        int unmask;

        Entry(String atom) {
            pv = Portage.splitAtom(atom);
        }
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        Map<String, Entry> byAtom = new LinkedHashMap<>();
        for (String[] line : Portage.lines(portage.list("/etc/portage/package.keywords"))) {
            Entry e = new Entry(line[0]);
            if (line.length > 1) e.keyword = line[1];
            // "cat/pkg # comment": osquery keeps no entry for it
            if (!e.keyword.startsWith("#")) byAtom.putIfAbsent(line[0], e);
        }
        for (String[] line : Portage.lines(portage.list("/etc/portage/package.mask"))) {
            byAtom.computeIfAbsent(line[0], Entry::new).mask = 1;
        }
        for (String[] line : Portage.lines(portage.list("/etc/portage/package.unmask"))) {
            byAtom.computeIfAbsent(line[0], Entry::new).unmask = 1;
        }
        for (Entry e : byAtom.values()) {
            rows.add().set("package", e.pv[0]).set("version", e.pv[1]).set("keyword", e.keyword)
                    .set("mask", e.mask).set("unmask", e.unmask);
        }
    }
}
