package io.hostql.tables.hardware;

import io.hostql.os.sysfs.SysFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The SMBIOS structure table, as the kernel exposes it raw in /sys/firmware/dmi/tables/DMI, walked as
 * osquery's SMBIOSParser walks it: a 4-byte header (type, formatted length, handle), the formatted
 * area, then strings up to a double NUL. hostql reads only the sysfs node; osquery's fallbacks scan
 * physical memory through /dev/mem, which hostql does not open (CONFIG_STRICT_DEVMEM kernels refuse it
 * anyway, and no DMI in sysfs means no firmware tables on virtual machines such as Firecracker).
 */
public final class Smbios {
    public static final Path SYSFS_DMI = Path.of("/sys/firmware/dmi/tables/DMI");

    /** One structure: its position in the table, header fields, and its bytes (formatted area and strings). */
    public record Structure(int index, int type, int handle, int headerLength, byte[] data) {}

    private Smbios() {}

    /** The structures of the table at path; empty when it is absent or unreadable. */
    public static List<Structure> read(Path dmi) {
        byte[] b = SysFiles.readBytes(dmi);
        return b == null ? List.of() : parse(b);
    }

    /**
     * osquery's walk, kept exactly (sizes and md5s must match its rows): the search for the double NUL
     * stops 4 bytes before the end, so a last structure without room after it keeps only its header
     * (the End-of-Table structure is 4 bytes, not 6, when it ends the blob).
     */
    public static List<Structure> parse(byte[] b) {
        List<Structure> out = new ArrayList<>();
        int p = 0;
        while (p + 4 <= b.length) {
            int type = b[p] & 0xff, length = b[p + 1] & 0xff, handle = (b[p + 2] & 0xff) | (b[p + 3] & 0xff) << 8;
            if (p + length > b.length) break; // a header whose length leaves the table: the rest is not trusted
            int next = p + length;
            for (; next + 4 <= b.length; next++) {
                if (b[next] == 0 && b[next + 1] == 0) {
                    next += 2;
                    break;
                }
            }
            out.add(new Structure(out.size(), type, handle, length, java.util.Arrays.copyOfRange(b, p, next)));
            p = next;
        }
        return out;
    }
}
