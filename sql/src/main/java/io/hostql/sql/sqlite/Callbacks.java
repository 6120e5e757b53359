package io.hostql.sql.sqlite;

import com.sun.jna.Callback;
import com.sun.jna.CallbackReference;
import com.sun.jna.Pointer;
import java.lang.reflect.Method;

/**
 * Function pointers for Java callbacks that SQLite calls (virtual table methods, SQL functions, the
 * authorizer, the progress handler).
 *
 * <p>JNA has two kinds of callback. The public {@link CallbackReference#getFunctionPointer(Callback)}
 * gives the generic kind: each call boxes its arguments into an Object[], converts them, and invokes
 * the method by reflection. "Direct" callbacks, which JNA makes for callbacks passed to directly
 * mapped functions, call the Java method straight from JNI. SQLite calls xColumn once per cell, so
 * the difference is most of a query's CPU over a virtual table (measured in docs/benchmarks.md).
 * JNA keeps the direct variant private; it is reached by reflection (JNA is on the class path, so no
 * module opens are needed), with the generic kind as the fallback.
 */
public final class Callbacks {
    private static final Method DIRECT = directVariant();

    private Callbacks() {}

    private static Method directVariant() {
        try {
            Method m = CallbackReference.class.getDeclaredMethod("getFunctionPointer", Callback.class, boolean.class);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The native entry point of the callback, kept by JNA for as long as the callback object is reachable. */
    public static Pointer pointer(Callback cb) {
        if (DIRECT != null) {
            try {
                return (Pointer) DIRECT.invoke(null, cb, true);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // a JNA without the direct variant: the generic callback works the same, slower
            }
        }
        return CallbackReference.getFunctionPointer(cb);
    }

    /** Whether callbacks are made direct (false: this JNA lacks the private method, and they are generic). */
    public static boolean direct() {
        return DIRECT != null;
    }
}
