package io.hostql.tables.packages;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * portage_packages: Gentoo's installed packages (/var/db/pkg), each with its SLOT, SIZE, EAPI,
 * BUILD_TIME and repository files, and whether the world set names it. As in osquery, a host
 * without /var/lib/portage/world (any non-Gentoo host) has no rows.
 */
public final class PortagePackagesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("portage_packages", "List of currently installed packages.")
            .text("package").text("version").text("slot").bigint("build_time").text("repository").bigint("eapi")
            .bigint("size").integer("world")
            .build();

    private final Portage portage;

    public PortagePackagesTable() {
        this(Path.of("/"));
    }

    PortagePackagesTable(Path root) {
        this.portage = new Portage(root);
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        String worldFile = portage.list("/var/lib/portage/world");
        if (worldFile == null || !Files.isDirectory(portage.file("/var/db/pkg"))) return;
        Set<String> world = new HashSet<>();
        for (String[] line : Portage.lines(worldFile)) world.add(Portage.splitAtom(line[0])[0]);
        for (Path dir : portage.packageDirs()) {
            String[] pv = Portage.splitAtom(Portage.atom(dir));
            rows.add().set("package", pv[0]).set("version", pv[1]).set("world", world.contains(pv[0]) ? 1 : 0)
                    .set("slot", Portage.field(dir, "SLOT")).set("size", Portage.number(Portage.field(dir, "SIZE")))
                    .set("eapi", Portage.number(Portage.field(dir, "EAPI")))
                    .set("build_time", Portage.number(Portage.field(dir, "BUILD_TIME")))
                    .set("repository", Portage.field(dir, "repository"));
        }
    }
}
