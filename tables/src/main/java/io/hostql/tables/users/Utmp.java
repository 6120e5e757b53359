package io.hostql.tables.users;

import io.hostql.os.Libc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * glibc's utmp/wtmp files: fixed-size {@code struct utmp} records, read as getutxent reads them
 * (a trailing partial record is ignored). On x86_64 the time fields are 32-bit (384-byte records);
 * on other 64-bit ABIs (aarch64) ut_session is a long and ut_tv a struct timeval (400 bytes).
 */
public final class Utmp {
    public static final Path UTMP = Path.of("/var/run/utmp");
    public static final Path WTMP = Path.of("/var/log/wtmp");

    public static final int EMPTY = 0, RUN_LVL = 1, BOOT_TIME = 2, NEW_TIME = 3, OLD_TIME = 4, INIT_PROCESS = 5,
            LOGIN_PROCESS = 6, USER_PROCESS = 7, DEAD_PROCESS = 8, ACCOUNTING = 9;

    static final int LINE = 32, ID = 4, NAME = 32, HOST = 256;

    /** One record; strings end at the first NUL or the field's end. addrV6 is the raw 16-byte ut_addr_v6. */
    public record Record(int type, int pid, String line, String id, String user, String host, int exitTermination,
            int exitStatus, long session, long timeSec, long timeUsec, byte[] addrV6) {}

    /** Layout of struct utmp on one ABI. */
    public enum Layout {
        /** x86_64 (and every 32-bit ABI): int32 session and tv. */
        TIME32(384),
        /** 64-bit ABIs without __WORDSIZE_TIME64_COMPAT32 (aarch64, ppc64le, s390x, riscv64): long session, struct timeval. */
        TIME64(400);

        public final int recordSize;

        Layout(int recordSize) {
            this.recordSize = recordSize;
        }

        public static Layout host() {
            String arch = System.getProperty("os.arch", "");
            boolean wide = System.getProperty("sun.arch.data.model", "64").equals("64")
                    && !(arch.equals("amd64") || arch.equals("x86_64"));
            return wide ? TIME64 : TIME32;
        }
    }

    private Utmp() {}

    /** Records of a utmp-format file in file order; a missing file has none. */
    public static List<Record> read(Path file) throws IOException {
        return read(file, Layout.host());
    }

    public static List<Record> read(Path file, Layout layout) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return parse(data, layout);
    }

    public static List<Record> parse(byte[] data, Layout layout) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
        int size = layout.recordSize;
        List<Record> out = new ArrayList<>(data.length / size);
        for (int off = 0; off + size <= data.length; off += size) out.add(record(b, data, off, layout));
        return out;
    }

    private static Record record(ByteBuffer b, byte[] data, int off, Layout layout) {
        int type = b.getShort(off);
        int pid = b.getInt(off + 4);
        String line = Libc.cString(data, off + 8, LINE);
        String id = Libc.cString(data, off + 40, ID);
        String user = Libc.cString(data, off + 44, NAME);
        String host = Libc.cString(data, off + 76, HOST);
        int term = b.getShort(off + 332), exit = b.getShort(off + 334);
        long session, sec, usec;
        int addr;
        if (layout == Layout.TIME32) {
            session = b.getInt(off + 336);
            sec = b.getInt(off + 340) & 0xFFFFFFFFL; // glibc stores time as int32; unsigned pushes 2038 out to 2106
            usec = b.getInt(off + 344);
            addr = off + 348;
        } else {
            session = b.getLong(off + 336);
            sec = b.getLong(off + 344);
            usec = b.getLong(off + 352);
            addr = off + 360;
        }
        byte[] v6 = new byte[16];
        System.arraycopy(data, addr, v6, 0, 16);
        return new Record(type, pid, line, id, user, host, term, exit, session, sec, usec, v6);
    }

}
