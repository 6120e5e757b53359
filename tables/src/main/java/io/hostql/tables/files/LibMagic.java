package io.hostql.tables.files;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/** libmagic (Debian package libmagic1), bound with JNA direct mapping. Check {@link #problem()} before use. */
final class LibMagic {
    static final int MAGIC_NONE = 0, MAGIC_MIME_TYPE = 0x10, MAGIC_MIME_ENCODING = 0x400;

    private static final String PROBLEM = bind();

    private LibMagic() {}

    private static String bind() {
        UnsatisfiedLinkError last = null;
        for (String name : new String[] {"libmagic.so.1", "magic"}) {
            try {
                Native.register(LibMagic.class, NativeLibrary.getInstance(name));
                return null;
            } catch (UnsatisfiedLinkError e) {
                last = e;
            }
        }
        return "libmagic (libmagic.so.1) is not installed; install it with: apt-get install libmagic1 ("
                + last.getMessage() + ")";
    }

    /** Null when libmagic is usable, else why not and how to fix it. */
    static String problem() {
        return PROBLEM;
    }

    static native Pointer magic_open(int flags);
    static native void magic_close(Pointer cookie);
    /** filename: NUL-terminated, ':'-separated database files; null for libmagic's default. */
    static native int magic_load(Pointer cookie, byte[] filename);
    static native Pointer magic_file(Pointer cookie, byte[] filename);
    static native Pointer magic_error(Pointer cookie);
    static native int magic_setflags(Pointer cookie, int flags);
}
