package io.hostql.tables.security;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/** libaugeas (Debian package libaugeas0), bound with JNA direct mapping. Check {@link #problem()} before use. */
final class LibAugeas {
    /** aug_init flags (augeas.h). */
    static final int AUG_NO_STDINC = 1 << 3, AUG_SAVE_NOOP = 1 << 4, AUG_NO_LOAD = 1 << 5, AUG_NO_ERR_CLOSE = 1 << 8;
    static final int AUG_NOERROR = 0;

    private static final String PROBLEM = bind();

    private LibAugeas() {}

    private static String bind() {
        UnsatisfiedLinkError last = null;
        for (String name : new String[] {"libaugeas.so.0", "augeas"}) {
            try {
                Native.register(LibAugeas.class, NativeLibrary.getInstance(name));
                return null;
            } catch (UnsatisfiedLinkError e) {
                last = e;
            }
        }
        return "libaugeas (libaugeas.so.0) is not installed, so the augeas table is empty; install it with: "
                + "apt-get install libaugeas0 augeas-lenses (" + last.getMessage() + ")";
    }

    /** Null when libaugeas is usable, else why not and how to fix it. */
    static String problem() {
        return PROBLEM;
    }

    /** root and loadpath: NUL-terminated; null root is "/". */
    static native Pointer aug_init(byte[] root, byte[] loadpath, int flags);
    static native int aug_load(Pointer aug);
    static native int aug_defvar(Pointer aug, byte[] name, byte[] expr);
    /** *matches: a malloc'd array of malloc'd strings the caller frees. */
    static native int aug_match(Pointer aug, byte[] path, PointerByReference matches);
    /** value and label belong to augeas; file is malloc'd and the caller frees it. */
    static native int aug_ns_attr(Pointer aug, byte[] var, int i, PointerByReference value, PointerByReference label,
                                  PointerByReference file);
    static native int aug_error(Pointer aug);
    static native Pointer aug_error_message(Pointer aug);
    static native void aug_close(Pointer aug);
}
