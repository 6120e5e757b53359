package io.hostql.tables.packages;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;

/** portage_use: the USE flags each installed Gentoo package was built with (/var/db/pkg/*&#47;*&#47;USE), one row per flag. */
public final class PortageUseTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("portage_use", "List of enabled portage USE values for specific package.")
            .text("package").text("version").text("use")
            .build();

    private final Portage portage;

    public PortageUseTable() {
        this(Path.of("/"));
    }

    PortageUseTable(Path root) {
        this.portage = new Portage(root);
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        for (Path dir : portage.packageDirs()) {
            String use = Portage.field(dir, "USE");
            if (use == null || use.isEmpty()) continue;
            String[] pv = Portage.splitAtom(Portage.atom(dir));
            for (String flag : use.split("\\s+")) {
                rows.add().set("package", pv[0]).set("version", pv[1]).set("use", flag);
            }
        }
    }
}
