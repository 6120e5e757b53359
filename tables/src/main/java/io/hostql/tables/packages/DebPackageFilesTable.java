package io.hostql.tables.packages;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * deb_package_files: the paths each installed package owns, from dpkg's admindir/info/PKG.list
 * (PKG:ARCH.list for a Multi-Arch: same package), for the packages of the status database that
 * deb_packages shows. Paths are raw bytes, as dpkg stores them.
 */
public final class DebPackageFilesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("deb_package_files", "Installed files from DEB packages that are currently installed on the system.")
            .text("package", INDEX, OPTIMIZED).text("path", INDEX).text("admindir", ADDITIONAL, OPTIMIZED)
            .build();

    private final String defaultAdmindir;

    public DebPackageFilesTable() {
        this(DebPackagesTable.DEFAULT_ADMINDIR);
    }

    DebPackageFilesTable(String defaultAdmindir) {
        this.defaultAdmindir = defaultAdmindir;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        Set<String> dirs = ctx.equalsText("admindir");
        if (dirs.isEmpty()) dirs = Set.of(defaultAdmindir);
        Set<String> wanted = ctx.equalsText("package");
        // a join on path (which process file belongs to which package) asks for a few paths only
        Set<String> paths = ctx.equalsText("path");
        for (String admindir : dirs) {
            Path info = Path.of(admindir).resolve("info");
            for (DebPackagesTable.Pkg p : DebPackagesTable.read(Path.of(admindir))) {
                if (p.notInstalled() || (!wanted.isEmpty() && !wanted.contains(p.name))) continue;
                byte[] list = readList(info, p);
                if (list == null) continue;
                int start = 0;
                for (int i = 0; i <= list.length; i++) {
                    if (i == list.length || list[i] == '\n') {
                        if (i > start) {
                            byte[] path = java.util.Arrays.copyOfRange(list, start, i);
                            if (!paths.isEmpty() && !paths.contains(new String(path, java.nio.charset.StandardCharsets.UTF_8))) {
                                start = i + 1;
                                continue;
                            }
                            rows.add().set("package", p.name).set("path", path).set("admindir", admindir);
                        }
                        start = i + 1;
                    }
                }
            }
        }
    }

    private static byte[] readList(Path info, DebPackagesTable.Pkg p) {
        for (String name : new String[] {p.name + ".list", p.name + ":" + p.arch + ".list"}) {
            try {
                return Files.readAllBytes(info.resolve(name));
            } catch (NoSuchFileException e) {
                // try the Multi-Arch name
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }
}
