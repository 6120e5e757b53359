package io.hostql.os.yara;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compiled YARA rules, one entry per signature group and per rule file, shared by the yara tables
 * and yara_events: compiling is the costly step (a rule set of thousands of rules takes seconds),
 * scanning with the result is cheap. An entry is compiled again when the group's file list or any
 * file's size or modification time changes, so an edited rule file takes effect without a restart;
 * a compile error is kept too, so that a broken file is not recompiled for every event.
 */
public final class YaraSignatures {
    /** The process's one cache: the tables of the shell or daemon and the yara_events subscriber share it. */
    public static final YaraSignatures SHARED = new YaraSignatures();

    private record Stamp(Path file, long size, long mtimeNanos) {}

    private record Entry(List<Stamp> stamps, YaraRules rules, YaraException error) {}

    private final Map<String, Entry> entries = new HashMap<>();

    /** The rules of a group of the config's {@code yara.signatures}: its files (null: the config has no such group). */
    public YaraRules group(String group, List<Path> files) throws YaraException {
        if (files == null) throw new YaraException("signature group '" + group + "' is not in the config's yara.signatures");
        return rules("group\0" + group, files);
    }

    /** The rules of one file (osquery's sigfile). */
    public YaraRules file(Path sigfile) throws YaraException {
        return rules("file\0" + sigfile, List.of(sigfile));
    }

    private synchronized YaraRules rules(String key, List<Path> files) throws YaraException {
        List<Stamp> stamps = stamps(files);
        Entry e = entries.get(key);
        if (e == null || !Objects.equals(e.stamps(), stamps)) {
            if (e != null && e.rules() != null) e.rules().close(); // freed once the scans using it end
            YaraRules rules = null;
            YaraException error = null;
            try {
                rules = Yara.compileFiles(files);
            } catch (YaraException ex) {
                error = ex;
            }
            e = new Entry(stamps, rules, error);
            entries.put(key, e);
        }
        if (e.error() != null) throw e.error();
        return e.rules();
    }

    private static List<Stamp> stamps(List<Path> files) {
        List<Stamp> out = new ArrayList<>(files.size());
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                out.add(new Stamp(f, a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS)));
            } catch (IOException ex) {
                out.add(new Stamp(f, -1, -1)); // missing: compiled (and failing) again only once it appears
            }
        }
        return out;
    }
}
