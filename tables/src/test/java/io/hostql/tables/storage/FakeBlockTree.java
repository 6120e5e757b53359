package io.hostql.tables.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fake sysfs block tree: sda (SATA disk) with sda1 and sda2 (LUKS2), dm-0 the dm-crypt mapping on sda2,
 * dm-1 an LVM volume on dm-0, nvme0n1 in its controller's directory, loop0 (unattached) and vdb (virtio).
 */
final class FakeBlockTree {
    final Path root;
    final Path classBlock;
    final Path dev;

    FakeBlockTree(Path root) throws IOException {
        this.root = root;
        this.classBlock = root.resolve("sys/class/block");
        this.dev = root.resolve("dev");
        Files.createDirectories(classBlock);
        Files.createDirectories(dev);
        Path ata = root.resolve("sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0");
        Path sda = disk(ata.resolve("block/sda"), "sda", 1000215216, 512);
        Files.writeString(ata.resolve("model"), "Samsung SSD 860 \n");
        Files.writeString(ata.resolve("vendor"), "ATA     \n");
        Files.writeString(ata.resolve("wwid"), "t10.ATA     Samsung SSD 860 S3Z9NB0K\n");
        Files.createSymbolicLink(sda.resolve("device"), sda.relativize(ata));
        partition(sda, "sda1", 1048576);
        partition(sda, "sda2", 999164416);
        Path dm0 = disk(root.resolve("sys/devices/virtual/block/dm-0"), "dm-0", 999131648, 512);
        Files.createDirectories(dm0.resolve("dm"));
        Files.writeString(dm0.resolve("dm/uuid"), "CRYPT-LUKS2-2e2b6f4ab4e14f8e9d0c6bd3e2d1a0f1-luks-2e2b6f4a\n");
        slave(dm0, sda.resolve("sda2"));
        Path dm1 = disk(root.resolve("sys/devices/virtual/block/dm-1"), "dm-1", 999000000, 512);
        Files.createDirectories(dm1.resolve("dm"));
        Files.writeString(dm1.resolve("dm/uuid"), "LVM-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV\n");
        slave(dm1, dm0);
        Path ctrl = root.resolve("sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0");
        Files.createDirectories(ctrl);
        Files.writeString(ctrl.resolve("uevent"), "MAJOR=241\nMINOR=0\nDEVNAME=nvme0\n");
        Files.writeString(ctrl.resolve("model"), "WDC PC SN730\n");
        Files.writeString(ctrl.resolve("serial"), "2005AB4C1234\n");
        Path nvme = disk(ctrl.resolve("nvme0n1"), "nvme0n1", 1000215216, 4096);
        Files.createSymbolicLink(nvme.resolve("device"), nvme.relativize(ctrl));
        disk(root.resolve("sys/devices/virtual/block/loop0"), "loop0", 0, 512);
        Path virtio = root.resolve("sys/devices/pci0000:00/0000:00:02.0/virtio1");
        Path vdb = disk(virtio.resolve("block/vdb"), "vdb", 2048, 512);
        Files.writeString(virtio.resolve("vendor"), "0x1af4\n");
        Files.writeString(vdb.resolve("serial"), "disk-serial-42\n");
        Files.createSymbolicLink(vdb.resolve("device"), vdb.relativize(virtio));
        // no /dev/vdb to read: udev's record of its probe stands in
        Files.writeString(vdb.resolve("dev"), "254:16\n");
        Files.createDirectories(root.resolve("run/udev/data"));
        Files.writeString(root.resolve("run/udev/data/b254:16"), "S:disk/by-uuid/0f0e\nE:ID_FS_UUID=0f0e-aa\nE:ID_FS_TYPE=ext4\n"
                + "E:ID_FS_LABEL=data\nE:ID_FS_USAGE=filesystem\n");
        Files.write(dev.resolve("sda2"), luks2Header("aes-xts-plain64", "2e2b6f4a-b4e1-4f8e-9d0c-6bd3e2d1a0f1"));
    }

    private Path disk(Path dir, String name, long size, int blockSize) throws IOException {
        Files.createDirectories(dir.resolve("queue"));
        Files.writeString(dir.resolve("uevent"), "MAJOR=8\nMINOR=0\nDEVNAME=" + name + "\nDEVTYPE=disk\n");
        Files.writeString(dir.resolve("size"), size + "\n");
        Files.writeString(dir.resolve("queue/logical_block_size"), blockSize + "\n");
        Files.createSymbolicLink(classBlock.resolve(name), classBlock.relativize(dir));
        return dir;
    }

    private void partition(Path disk, String name, long size) throws IOException {
        Path p = disk.resolve(name);
        Files.createDirectories(p);
        Files.writeString(p.resolve("uevent"), "MAJOR=8\nMINOR=1\nDEVNAME=" + name + "\nDEVTYPE=partition\n");
        Files.writeString(p.resolve("size"), size + "\n");
        Files.writeString(p.resolve("partition"), "1\n");
        Files.createSymbolicLink(classBlock.resolve(name), classBlock.relativize(p));
    }

    private static void slave(Path holder, Path backing) throws IOException {
        Files.createDirectories(holder.resolve("slaves"));
        Files.createSymbolicLink(holder.resolve("slaves").resolve(backing.getFileName()), holder.resolve("slaves").relativize(backing));
    }

    /** A LUKS2 binary header followed by its JSON area, as cryptsetup writes them (16 KiB header). */
    static byte[] luks2Header(String encryption, String uuid) {
        int hdrSize = 16384;
        ByteBuffer b = ByteBuffer.allocate(hdrSize).order(ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe}).putShort((short) 2).putLong(hdrSize).putLong(1);
        b.position(24).put("cryptroot".getBytes(StandardCharsets.US_ASCII));
        b.position(72).put("sha256".getBytes(StandardCharsets.US_ASCII));
        b.position(168).put(uuid.getBytes(StandardCharsets.US_ASCII));
        String json = "{\"keyslots\":{\"0\":{\"type\":\"luks2\",\"key_size\":64}},\"tokens\":{},"
                + "\"segments\":{\"0\":{\"type\":\"crypt\",\"offset\":\"16777216\",\"size\":\"dynamic\",\"iv_tweak\":\"0\","
                + "\"encryption\":\"" + encryption + "\",\"sector_size\":512}},\"digests\":{},\"config\":{}}";
        b.position(4096).put(json.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    BlockDevicesTable table() {
        return new BlockDevicesTable(classBlock, dev, root.resolve("run/udev/data"));
    }
}
