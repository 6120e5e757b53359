package io.hostql.os.yara;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.hostql.os.Libc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Compiles YARA rules with libyara: rule files (source, or one saved by yarac) or a rule text. */
public final class Yara {
    /** Compile errors of the compile in progress on this thread: the compiler calls back synchronously. */
    private static final ThreadLocal<List<String>> ERRORS = new ThreadLocal<>();
    private static final LibYara.CompilerCallback ON_ERROR = Yara::onCompileMessage;

    private Yara() {}

    /** Null when libyara is usable, else why not and how to fix it. */
    public static String problem() {
        return LibYara.problem();
    }

    /**
     * The rules of a signature group: its files compiled together, as osquery does. A file saved by
     * yarac is loaded as it is, and must then be the group's only file (libyara cannot merge saved rules).
     */
    public static YaraRules compileFiles(List<Path> files) throws YaraException {
        usable();
        if (files.isEmpty()) throw new YaraException("no YARA rule file to compile");
        if (files.size() == 1) {
            PointerByReference saved = new PointerByReference();
            int rc = LibYara.yr_rules_load(Libc.cPath(files.get(0).toString()), saved);
            if (rc == LibYara.ERROR_SUCCESS) return new YaraRules(saved.getValue());
            if (rc != LibYara.ERROR_INVALID_FILE && rc != 3) {
                throw new YaraException("cannot load the YARA rules " + files.get(0) + ": " + YaraException.describe(rc), rc);
            }
        }
        return compile(compiler -> {
            for (Path file : files) {
                int fd = open(file);
                try {
                    LibYara.yr_compiler_add_fd(compiler, fd, null, Libc.cPath(file.toString()));
                } finally {
                    close(fd);
                }
            }
        });
    }

    /** Rules from a text (osquery's sigrule). */
    public static YaraRules compileText(String rules) throws YaraException {
        usable();
        return compile(compiler -> LibYara.yr_compiler_add_string(compiler, Libc.cPath(rules), null));
    }

    private interface Sources {
        void add(Pointer compiler) throws YaraException;
    }

    private static YaraRules compile(Sources sources) throws YaraException {
        PointerByReference ref = new PointerByReference();
        int rc = LibYara.yr_compiler_create(ref);
        if (rc != LibYara.ERROR_SUCCESS) throw new YaraException("cannot create a YARA compiler: " + YaraException.describe(rc), rc);
        Pointer compiler = ref.getValue();
        List<String> errors = new ArrayList<>();
        ERRORS.set(errors);
        try {
            LibYara.yr_compiler_set_callback(compiler, ON_ERROR, null);
            sources.add(compiler);
            // After a source with errors libyara refuses both more sources and get_rules: report what it said.
            if (!errors.isEmpty()) throw new YaraException("YARA rules do not compile: " + String.join("; ", errors));
            PointerByReference rules = new PointerByReference();
            rc = LibYara.yr_compiler_get_rules(compiler, rules);
            if (rc != LibYara.ERROR_SUCCESS) throw new YaraException("cannot get the compiled YARA rules: " + YaraException.describe(rc), rc);
            return new YaraRules(rules.getValue());
        } finally {
            ERRORS.remove();
            LibYara.yr_compiler_destroy(compiler);
        }
    }

    private static void onCompileMessage(int level, Pointer fileName, int line, Pointer rule, Pointer message, Pointer userData) {
        List<String> errors = ERRORS.get();
        if (errors == null || level != LibYara.YARA_ERROR_LEVEL_ERROR) return; // warnings (slow rules) do not stop a compile
        try {
            String where = fileName == null ? "rule text" : fileName.getString(0, "UTF-8");
            errors.add(where + "(" + line + "): " + (message == null ? "error" : message.getString(0, "UTF-8")));
        } catch (Throwable t) {
            errors.add("unreadable compile error");
        }
    }

    private static void usable() throws YaraException {
        String problem = LibYara.problem();
        if (problem != null) throw new YaraException(problem);
    }

    private static int open(Path file) throws YaraException {
        if (!java.nio.file.Files.isRegularFile(file)) throw new YaraException("the YARA rule file " + file + " does not exist or is not a file");
        int fd = Libc.open(Libc.cPath(file), Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0) throw new YaraException("cannot open the YARA rule file " + file);
        return fd;
    }

    private static void close(int fd) {
        Libc.close(fd);
    }

}
