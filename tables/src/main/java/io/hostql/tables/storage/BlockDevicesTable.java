package io.hostql.tables.storage;

import static io.hostql.sql.table.ColumnOption.INDEX;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;

/**
 * block_devices: every block device in sysfs. type/uuid/label come from reading the superblock, as
 * osquery does through libblkid: /dev/disk/by-uuid and by-label exist only where udev runs and carry no
 * type, while the superblock is the source they are made from. That read needs root; without it, udev's
 * own record in /run/udev/data is used when present.
 */
public final class BlockDevicesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("block_devices", "Block (buffered access) device file nodes: disks, ramdisks, and DMG containers.")
            .text("name", INDEX).text("parent").text("vendor").text("model").text("serial").bigint("size")
            .integer("block_size").text("uuid").text("type").text("label")
            .build();

    private final Path sysClassBlock;
    private final Path devDir;
    private final Path udevData;

    public BlockDevicesTable() {
        this(Path.of("/sys/class/block"), Path.of("/dev"), Path.of("/run/udev/data"));
    }

    BlockDevicesTable(Path sysClassBlock, Path devDir, Path udevData) {
        this.sysClassBlock = sysClassBlock;
        this.devDir = devDir;
        this.udevData = udevData;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    BlockDevices scan() {
        return BlockDevices.scan(sysClassBlock, devDir, udevData);
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        boolean probe = ctx.isUsed("uuid") || ctx.isUsed("type") || ctx.isUsed("label");
        BlockDevices devices = scan();
        for (BlockDevices.Device d : devices.select(ctx.equalsText("name"))) {
            devices.resolve(d, probe);
            RowSink.Row r = rows.add().set("name", d.name).set("parent", devices.parentName(d)).set("vendor", d.vendor)
                    .set("model", d.model).set("serial", d.serial).set("size", d.size).set("block_size", d.blockSize);
            if (d.probe != null) r.set("uuid", d.probe.uuid()).set("type", d.probe.type()).set("label", d.probe.label());
        }
    }
}
