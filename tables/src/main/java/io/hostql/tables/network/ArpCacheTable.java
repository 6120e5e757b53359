package io.hostql.tables.network;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** arp_cache: the kernel's IPv4 neighbour table, from /proc/net/arp. */
public final class ArpCacheTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("arp_cache",
                    "Address resolution cache, both static and dynamic (from ARP, NDP).")
            .text("address").text("mac").text("interface").text("permanent")
            .build();
    private static final int ATF_PERM = 0x04;

    private final Path file;

    public ArpCacheTable() {
        this(Path.of("/proc/net/arp"));
    }

    ArpCacheTable(Path file) {
        this.file = file;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return; // no IPv4 in this kernel
        }
        // IP address, HW type, Flags, HW address, Mask, Device; the first line is the header.
        for (int i = 1; i < lines.size(); i++) {
            String[] f = SysFiles.WS.split(lines.get(i).strip());
            if (f.length != 6) continue;
            int flags;
            try {
                flags = Integer.decode(f[2]);
            } catch (NumberFormatException e) {
                continue;
            }
            rows.add().set("address", f[0]).set("mac", f[3]).set("interface", f[5])
                    .set("permanent", (flags & ATF_PERM) != 0 ? "1" : "0");
        }
    }
}
