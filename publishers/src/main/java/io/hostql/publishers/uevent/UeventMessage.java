package io.hostql.publishers.uevent;

import io.hostql.events.HardwareEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One uevent datagram, decoded. Two wire formats arrive on NETLINK_KOBJECT_UEVENT:
 * <ul>
 *   <li>the kernel's (group 1): {@code ACTION@DEVPATH\0KEY=VALUE\0...};</li>
 *   <li>systemd-udevd's (group 2): a 40-byte header starting with {@code "libudev\0"}, the magic
 *       0xfeedcafe in network byte order, then header size, properties offset and properties length in
 *       host order (and filter hashes we do not need), followed by the {@code KEY=VALUE\0} properties.</li>
 * </ul>
 * The properties are kept as the bytes received (values need not be UTF-8), without a trailing NUL.
 */
record UeventMessage(int source, String action, String devpath, byte[] properties) {
    static final byte[] LIBUDEV_PREFIX = "libudev\0".getBytes(StandardCharsets.US_ASCII);
    static final int LIBUDEV_MAGIC = 0xfeedcafe;
    static final int LIBUDEV_HEADER_SIZE = 40;

    /** A datagram that is not a well-formed uevent; the message says what is wrong with it. */
    static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    static UeventMessage decode(byte[] buf, int len) throws MalformedException {
        if (len <= 0) throw new MalformedException("empty datagram");
        if (len >= LIBUDEV_PREFIX.length && Arrays.equals(buf, 0, LIBUDEV_PREFIX.length, LIBUDEV_PREFIX, 0, LIBUDEV_PREFIX.length)) {
            return decodeLibudev(buf, len);
        }
        return decodeKernel(buf, len);
    }

    private static UeventMessage decodeKernel(byte[] buf, int len) throws MalformedException {
        int nul = indexOf(buf, 0, len, (byte) 0);
        if (nul < 0) throw new MalformedException("kernel uevent without a NUL after its ACTION@DEVPATH header");
        String header = new String(buf, 0, nul, StandardCharsets.UTF_8);
        int at = header.indexOf("@/");
        if (at <= 0) throw new MalformedException("kernel uevent header is not ACTION@DEVPATH: " + printable(header));
        byte[] props = trimTrailingNul(Arrays.copyOfRange(buf, nul + 1, len));
        String action = header.substring(0, at), devpath = header.substring(at + 1);
        UeventMessage m = withProperties(HardwareEvent.SOURCE_KERNEL, props);
        if (!m.action.equals(action) || !m.devpath.equals(devpath)) {
            throw new MalformedException("kernel uevent header " + printable(header) + " disagrees with ACTION=" + printable(m.action)
                    + " DEVPATH=" + printable(m.devpath));
        }
        return m;
    }

    private static UeventMessage decodeLibudev(byte[] buf, int len) throws MalformedException {
        if (len < LIBUDEV_HEADER_SIZE) throw new MalformedException("libudev message of " + len + " bytes is shorter than its header");
        int magic = (buf[8] & 0xff) << 24 | (buf[9] & 0xff) << 16 | (buf[10] & 0xff) << 8 | (buf[11] & 0xff);
        if (magic != LIBUDEV_MAGIC) {
            throw new MalformedException("libudev message with magic 0x" + Integer.toHexString(magic) + " instead of 0xfeedcafe");
        }
        long off = le32(buf, 16), plen = le32(buf, 20);
        if (off < 24 || off > len) throw new MalformedException("libudev properties offset " + off + " is outside the " + len + "-byte message");
        if (off + plen > len) {
            throw new MalformedException("libudev properties (" + plen + " bytes at " + off + ") run past the " + len + "-byte message");
        }
        return withProperties(HardwareEvent.SOURCE_UDEV, trimTrailingNul(Arrays.copyOfRange(buf, (int) off, (int) (off + plen))));
    }

    private static UeventMessage withProperties(int source, byte[] props) throws MalformedException {
        String action = null, devpath = null;
        int i = 0;
        while (i < props.length && (action == null || devpath == null)) {
            int end = indexOf(props, i, props.length, (byte) 0);
            if (end < 0) end = props.length;
            if (startsWith(props, i, "ACTION=")) action = new String(props, i + 7, end - i - 7, StandardCharsets.UTF_8);
            else if (startsWith(props, i, "DEVPATH=")) devpath = new String(props, i + 8, end - i - 8, StandardCharsets.UTF_8);
            i = end + 1;
        }
        if (action == null || action.isEmpty()) throw new MalformedException("uevent without ACTION");
        if (devpath == null || !devpath.startsWith("/")) throw new MalformedException("uevent without a DEVPATH");
        return new UeventMessage(source, action, devpath, props);
    }

    String property(String key) {
        return HardwareEvent.lookup(properties, key);
    }

    private static boolean startsWith(byte[] b, int at, String prefix) {
        if (at + prefix.length() > b.length) return false;
        for (int k = 0; k < prefix.length(); k++) if (b[at + k] != prefix.charAt(k)) return false;
        return true;
    }

    private static int indexOf(byte[] b, int from, int to, byte v) {
        for (int i = from; i < to; i++) if (b[i] == v) return i;
        return -1;
    }

    private static long le32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    private static byte[] trimTrailingNul(byte[] b) {
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) n--;
        return n == b.length ? b : Arrays.copyOf(b, n);
    }

    private static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return "'" + t.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }
}
