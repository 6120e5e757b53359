package io.hostql.tables.storage;

import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuperblocksTest {
    private static Path image(Path dir, String name, long size) throws Exception {
        Path img = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(size);
        }
        return img;
    }

    /** blkid's low-level probe of the same file: the witness. */
    private static Map<String, String> blkid(Path img) {
        Map<String, String> m = new HashMap<>();
        for (String line : run("blkid", "-p", "-o", "export", img.toString()).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1).replaceAll("\\\\(.)", "$1")); // export escapes spaces
        }
        return m;
    }

    private static void assertSameAsBlkid(Path img) {
        Map<String, String> w = blkid(img);
        Superblocks.Probe p = Superblocks.probe(img);
        assertThat(p.type()).as(img + " type").isEqualTo(w.get("TYPE"));
        assertThat(p.uuid()).as(img + " uuid").isEqualTo(w.get("UUID"));
        assertThat(p.label()).as(img + " label").isEqualTo(w.get("LABEL"));
    }

    @Test
    void extFamilyMatchesBlkid(@TempDir Path dir) throws Exception {
        assumeTrue(hasCommand("mkfs.ext4") && hasCommand("blkid"), "needs e2fsprogs and blkid");
        Path ext4 = image(dir, "ext4.img", 8 << 20);
        run("mkfs.ext4", "-q", "-F", "-L", "root fs", ext4.toString());
        assertSameAsBlkid(ext4);
        Path ext3 = image(dir, "ext3.img", 8 << 20);
        run("mkfs.ext4", "-q", "-F", "-t", "ext3", ext3.toString());
        assertSameAsBlkid(ext3);
        Path ext2 = image(dir, "ext2.img", 8 << 20);
        run("mkfs.ext4", "-q", "-F", "-t", "ext2", "-L", "boot", ext2.toString());
        assertSameAsBlkid(ext2);
        assertThat(Superblocks.probe(ext2).type()).isEqualTo("ext2");
        assertThat(Superblocks.probe(ext3).type()).isEqualTo("ext3");
    }

    @Test
    void swapMatchesBlkid(@TempDir Path dir) throws Exception {
        assumeTrue(hasCommand("mkswap") && hasCommand("blkid"), "needs mkswap and blkid");
        Path swap = image(dir, "swap.img", 4 << 20);
        run("mkswap", "-L", "swappy", swap.toString());
        assertSameAsBlkid(swap);
        assertThat(Superblocks.probe(swap).label()).isEqualTo("swappy");
    }

    @Test
    void syntheticHeaders(@TempDir Path dir) throws Exception {
        Path luks = dir.resolve("luks");
        Files.write(luks, FakeBlockTree.luks2Header("aes-xts-plain64", "11111111-2222-3333-4444-555555555555"));
        assertThat(Superblocks.probe(luks)).isEqualTo(new Superblocks.Probe("crypto_LUKS", "11111111-2222-3333-4444-555555555555", "cryptroot"));
        assertThat(DiskEncryptionTable.luksCipher(luks)).isEqualTo("aes-xts-plain64");

        byte[] luks1 = new byte[4096];
        ByteBuffer.wrap(luks1).put(new byte[] {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe, 0, 1}).put("aes".getBytes(StandardCharsets.US_ASCII));
        System.arraycopy("cbc-essiv:sha256".getBytes(StandardCharsets.US_ASCII), 0, luks1, 40, 16);
        System.arraycopy("0a1b2c3d-0000-1111-2222-333344445555".getBytes(StandardCharsets.US_ASCII), 0, luks1, 168, 36);
        Files.write(dir.resolve("luks1"), luks1);
        assertThat(Superblocks.probe(dir.resolve("luks1"))).isEqualTo(new Superblocks.Probe("crypto_LUKS", "0a1b2c3d-0000-1111-2222-333344445555", null));
        assertThat(DiskEncryptionTable.luksCipher(dir.resolve("luks1"))).isEqualTo("aes-cbc-essiv:sha256");

        byte[] lvm = new byte[8192];
        put(lvm, 512, "LABELONE");
        ByteBuffer.wrap(lvm, 512 + 20, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(32);
        put(lvm, 512 + 24, "LVM2 001");
        put(lvm, 512 + 32, "wCBeLJ3orst60qf4sB2MhceLvNDZ9s9v");
        Files.write(dir.resolve("lvm"), lvm);
        assertThat(Superblocks.probe(dir.resolve("lvm"))).isEqualTo(new Superblocks.Probe("LVM2_member", "wCBeLJ-3ors-t60q-f4sB-2Mhc-eLvN-DZ9s9v", null));

        byte[] xfs = new byte[8192];
        put(xfs, 0, "XFSB");
        for (int i = 0; i < 16; i++) xfs[32 + i] = (byte) (0x10 + i);
        put(xfs, 108, "data");
        Files.write(dir.resolve("xfs"), xfs);
        assertThat(Superblocks.probe(dir.resolve("xfs"))).isEqualTo(new Superblocks.Probe("xfs", "10111213-1415-1617-1819-1a1b1c1d1e1f", "data"));

        byte[] btrfs = new byte[0x10000 + 4096];
        put(btrfs, 0x10040, "_BHRfS_M");
        for (int i = 0; i < 16; i++) btrfs[0x10020 + i] = (byte) (0xa0 + i);
        put(btrfs, 0x1012b, "pool");
        Files.write(dir.resolve("btrfs"), btrfs);
        assertThat(Superblocks.probe(dir.resolve("btrfs"))).isEqualTo(new Superblocks.Probe("btrfs", "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf", "pool"));

        byte[] fat = new byte[8192];
        ByteBuffer.wrap(fat, 0x0b, 2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 512);
        fat[0x0d] = 8;
        put(fat, 0x52, "FAT32   ");
        fat[0x43] = 0x4d;
        fat[0x44] = 0x3c;
        fat[0x45] = 0x2b;
        fat[0x46] = 0x1a;
        put(fat, 0x47, "EFI        ");
        fat[510] = 0x55;
        fat[511] = (byte) 0xaa;
        Files.write(dir.resolve("fat"), fat);
        assertThat(Superblocks.probe(dir.resolve("fat"))).isEqualTo(new Superblocks.Probe("vfat", "1A2B-3C4D", "EFI"));

        Files.write(dir.resolve("zeros"), new byte[70000]);
        assertThat(Superblocks.probe(dir.resolve("zeros"))).isEqualTo(Superblocks.Probe.NONE);
        assertThat(Superblocks.probe(dir.resolve("missing"))).isEqualTo(Superblocks.Probe.NONE);
    }

    private static void put(byte[] b, int off, String s) {
        byte[] a = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(a, 0, b, off, a.length);
    }
}
