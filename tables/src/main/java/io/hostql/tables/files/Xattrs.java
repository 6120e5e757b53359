package io.hostql.tables.files;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.hostql.os.Libc;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Extended attributes of a file (listxattr/getxattr, following symlinks as osquery does), and
 * libcap's text form of a file's capabilities (what getcap prints), bound with JNA.
 */
final class Xattrs {
    private Xattrs() {}

    /** libcap (libcap2), absent on some hosts: then capabilities stay raw. */
    private static final class Cap {
        static final boolean OK = bind();

        private static boolean bind() {
            try {
                Native.register(Cap.class, NativeLibrary.getInstance("libcap.so.2"));
                return true;
            } catch (UnsatisfiedLinkError e) {
                return false;
            }
        }

        static native Pointer cap_get_file(byte[] path);
        static native Pointer cap_to_text(Pointer caps, Pointer length);
        static native int cap_free(Pointer p);
    }

    /** The attribute names of a file (NUL-terminated path), or null if they cannot be listed. */
    static List<byte[]> names(byte[] cpath) {
        byte[] buf = new byte[1024];
        long n = Libc.listxattr(cpath, buf, buf.length);
        if (n < 0 && Native.getLastError() == Libc.ERANGE) {
            buf = new byte[Libc.XATTR_LIST_MAX];
            n = Libc.listxattr(cpath, buf, buf.length);
        }
        if (n < 0) return null;
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] != 0) continue;
            if (i > start) out.add(Arrays.copyOfRange(buf, start, i));
            start = i + 1;
        }
        return out;
    }

    /** An attribute's value, or null if it cannot be read (removed meanwhile, or not permitted). */
    static byte[] value(byte[] cpath, byte[] name) {
        byte[] cname = Arrays.copyOf(name, name.length + 1);
        byte[] buf = new byte[256];
        long n = Libc.getxattr(cpath, cname, buf, buf.length);
        if (n < 0 && Native.getLastError() == Libc.ERANGE) {
            buf = new byte[Libc.XATTR_SIZE_MAX];
            n = Libc.getxattr(cpath, cname, buf, buf.length);
        }
        return n < 0 ? null : Arrays.copyOf(buf, (int) n);
    }

    /** The file's capabilities as cap_to_text writes them (e.g. "cap_net_raw=ep"), or null. */
    static String capabilities(byte[] cpath) {
        if (!Cap.OK) return null;
        Pointer caps = Cap.cap_get_file(cpath);
        if (caps == null) return null;
        try {
            Pointer text = Cap.cap_to_text(caps, null);
            if (text == null) return null;
            try {
                String s = text.getString(0);
                // libcap before 2.x began with "= " for an empty base set; osquery cut those two characters
                return s.startsWith("= ") ? s.substring(2) : s;
            } finally {
                Cap.cap_free(text);
            }
        } finally {
            Cap.cap_free(caps);
        }
    }
}
