package io.hostql.tables.storage;

import io.hostql.os.Libc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a filesystem's type, UUID and label from its superblock, the way libblkid's probe (which osquery
 * uses) reports them, for the formats Linux hosts commonly carry: ext2/3/4, xfs, btrfs, vfat, swap,
 * crypto_LUKS, LVM2_member and squashfs. Anything else probes as unknown (all null).
 */
final class Superblocks {
    record Probe(String type, String uuid, String label) {
        static final Probe NONE = new Probe(null, null, null);
    }

    private static final int HEAD = 8192;
    private static final int BTRFS_OFFSET = 0x10000;

    private Superblocks() {}

    /** Probes a device node or image file; NONE when it is unreadable (not root, EPERM) or unrecognised. */
    static Probe probe(Path device) {
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.READ)) {
            byte[] head = read(ch, 0, HEAD);
            if (head.length < 512) return Probe.NONE;
            Probe p = probeHead(head);
            if (p != null) return p;
            byte[] btrfs = read(ch, BTRFS_OFFSET, 4096);
            p = btrfs(btrfs);
            if (p != null) return p;
            p = ext(head);
            if (p != null) return p;
            p = swap(ch, head);
            if (p != null) return p;
            p = vfat(head);
            return p == null ? Probe.NONE : p;
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return Probe.NONE;
        }
    }

    private static byte[] read(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n <= 0) break;
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** Signatures at the start of the device. */
    private static Probe probeHead(byte[] h) {
        if (startsWith(h, 0, new byte[] {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe})) {
            int version = u16be(h, 6);
            String label = version == 2 ? cstr(h, 24, 48) : null;
            return new Probe("crypto_LUKS", cstr(h, 168, 40), label);
        }
        for (int sector = 0; sector < 4; sector++) {
            int off = sector * 512;
            if (off + 512 <= h.length && startsWith(h, off, ascii("LABELONE")) && startsWith(h, off + 24, ascii("LVM2 001"))) {
                int pvh = off + (int) u32le(h, off + 20);
                if (pvh + 32 > h.length) return new Probe("LVM2_member", null, null);
                return new Probe("LVM2_member", lvmUuid(new String(h, pvh, 32, StandardCharsets.US_ASCII)), null);
            }
        }
        if (startsWith(h, 0, ascii("XFSB"))) return new Probe("xfs", uuid(h, 32), cstr(h, 108, 12));
        if (startsWith(h, 0, ascii("hsqs"))) return new Probe("squashfs", null, null);
        return null;
    }

    private static Probe btrfs(byte[] s) {
        if (s.length < 0x12b + 256 || !startsWith(s, 0x40, ascii("_BHRfS_M"))) return null;
        return new Probe("btrfs", uuid(s, 0x20), cstr(s, 0x12b, 256));
    }

    /** ext2/3/4: libblkid names the type by the feature bits the filesystem needs. */
    private static Probe ext(byte[] h) {
        int sb = 1024;
        if (h.length < sb + 136 || u16le(h, sb + 56) != 0xef53) return null;
        long compat = u32le(h, sb + 92), incompat = u32le(h, sb + 96), roCompat = u32le(h, sb + 100);
        String type;
        if ((incompat & 0x0008) != 0) type = "jbd"; // external journal device
        else if ((roCompat & ~0x7L) != 0 || (incompat & ~0x16L) != 0) type = "ext4";
        else if ((compat & 0x0004) != 0) type = "ext3";
        else type = "ext2";
        return new Probe(type, uuid(h, sb + 104), cstr(h, sb + 120, 16));
    }

    /** Linux swap: "SWAPSPACE2" ends the first page, whatever the page size it was made with. */
    private static Probe swap(FileChannel ch, byte[] head) throws IOException {
        for (int page : new int[] {4096, 8192, 16384, 65536}) {
            byte[] sig = page <= head.length ? java.util.Arrays.copyOfRange(head, page - 10, page) : read(ch, page - 10, 10);
            if (sig.length == 10 && (startsWith(sig, 0, ascii("SWAPSPACE2")) || startsWith(sig, 0, ascii("SWAP-SPACE")))) {
                boolean v1 = sig[4] == 'S' && sig[5] == 'P' && sig[9] == '2';
                if (!v1 || head.length < 1068) return new Probe("swap", null, null);
                return new Probe("swap", uuid(head, 1036), cstr(head, 1052, 16));
            }
        }
        return null;
    }

    private static Probe vfat(byte[] h) {
        if ((h[510] & 0xff) != 0x55 || (h[511] & 0xff) != 0xaa) return null;
        int bytesPerSector = u16le(h, 0x0b);
        int perCluster = h[0x0d] & 0xff;
        if (Integer.bitCount(bytesPerSector) != 1 || bytesPerSector < 512 || bytesPerSector > 4096
                || perCluster == 0 || Integer.bitCount(perCluster) != 1) return null;
        int idOff, labelOff;
        if (startsWith(h, 0x52, ascii("FAT32   "))) {
            idOff = 0x43;
            labelOff = 0x47;
        } else if (startsWith(h, 0x36, ascii("FAT1")) || startsWith(h, 0x36, ascii("FAT     "))) {
            idOff = 0x27;
            labelOff = 0x2b;
        } else {
            return null;
        }
        String uuid = String.format("%02X%02X-%02X%02X", h[idOff + 3] & 0xff, h[idOff + 2] & 0xff, h[idOff + 1] & 0xff, h[idOff] & 0xff);
        String label = new String(h, labelOff, 11, StandardCharsets.ISO_8859_1).stripTrailing();
        if (label.isEmpty() || label.equals("NO NAME")) label = null;
        return new Probe("vfat", uuid, label);
    }

    private static String lvmUuid(String s) {
        int[] groups = {6, 4, 4, 4, 4, 4, 6};
        StringBuilder sb = new StringBuilder();
        int p = 0;
        for (int g : groups) {
            if (p > 0) sb.append('-');
            sb.append(s, p, p + g);
            p += g;
        }
        return sb.toString();
    }

    /** A 16-byte UUID in its canonical form; null when all zero (no UUID). */
    static String uuid(byte[] b, int off) {
        boolean zero = true;
        for (int i = 0; i < 16; i++) zero &= b[off + i] == 0;
        if (zero) return null;
        StringBuilder sb = new StringBuilder(36);
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) sb.append('-');
            sb.append(Character.forDigit((b[off + i] >> 4) & 0xf, 16)).append(Character.forDigit(b[off + i] & 0xf, 16));
        }
        return sb.toString();
    }

    /** A NUL-padded string field; null when empty. */
    static String cstr(byte[] b, int off, int max) {
        String s = Libc.cString(b, off, max);
        return s.isEmpty() ? null : s;
    }

    private static boolean startsWith(byte[] b, int off, byte[] magic) {
        if (off + magic.length > b.length) return false;
        for (int i = 0; i < magic.length; i++) if (b[off + i] != magic[i]) return false;
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static int u16le(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
    }

    static int u16be(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 2).order(ByteOrder.BIG_ENDIAN).getShort() & 0xffff;
    }

    static long u32le(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
    }

    static long u64be(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 8).order(ByteOrder.BIG_ENDIAN).getLong();
    }
}
