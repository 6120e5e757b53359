package io.hostql.tables.system;

import io.hostql.os.sysfs.SysFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** /proc/cpuinfo blocks joined with the sysfs CPU topology; shared by system_info and cpu_info. */
final class CpuInfo {
    /** One logical CPU: its /proc/cpuinfo fields and its topology ids (-1 where unknown). */
    record Cpu(int id, Map<String, String> fields, int packageId, int coreId, Path sysDir) {
        String field(String name) {
            return fields.get(name);
        }
    }

    /** One physical package (socket) and the online CPUs in it. */
    record Package(int id, List<Cpu> cpus) {
        int cores() {
            Set<Integer> cores = new HashSet<>();
            for (Cpu c : cpus) cores.add(c.coreId());
            return cores.size();
        }
    }

    private final List<Map<String, String>> blocks;
    private final List<Cpu> online;

    private CpuInfo(List<Map<String, String>> blocks, List<Cpu> online) {
        this.blocks = blocks;
        this.online = online;
    }

    static CpuInfo read(Path cpuinfo, Path sysCpu) {
        List<Map<String, String>> blocks = parse(SysFiles.readRaw(cpuinfo));
        Map<Integer, Map<String, String>> byId = new HashMap<>();
        for (Map<String, String> b : blocks) {
            try {
                byId.put(Integer.parseInt(b.getOrDefault("processor", "").strip()), b);
            } catch (NumberFormatException e) {
                // aarch64 and others put non-CPU blocks (Hardware, Revision) in cpuinfo
            }
        }
        List<Integer> ids = parseCpuList(SysFiles.read(sysCpu.resolve("online")));
        if (ids.isEmpty()) ids = new ArrayList<>(new java.util.TreeSet<>(byId.keySet()));
        List<Cpu> online = new ArrayList<>();
        for (int id : ids) {
            Map<String, String> f = byId.getOrDefault(id, Map.of());
            Path dir = sysCpu.resolve("cpu" + id);
            Long pkg = SysFiles.readLong(dir.resolve("topology/physical_package_id"));
            Long core = SysFiles.readLong(dir.resolve("topology/core_id"));
            if (pkg == null) pkg = parseLong(f.get("physical id"));
            if (core == null) core = parseLong(f.get("core id"));
            online.add(new Cpu(id, f, pkg == null ? -1 : pkg.intValue(), core == null ? id : core.intValue(), dir));
        }
        return new CpuInfo(blocks, online);
    }

    /** Parses a kernel CPU list such as "0-3,8,10-11". */
    static List<Integer> parseCpuList(String list) {
        List<Integer> out = new ArrayList<>();
        if (list == null) return out;
        for (String part : list.strip().split(",")) {
            if (part.isEmpty()) continue;
            int dash = part.indexOf('-');
            try {
                if (dash < 0) {
                    out.add(Integer.parseInt(part.strip()));
                } else {
                    int a = Integer.parseInt(part.substring(0, dash).strip());
                    int b = Integer.parseInt(part.substring(dash + 1).strip());
                    for (int i = a; i <= b; i++) out.add(i);
                }
            } catch (NumberFormatException e) {
                // a malformed range adds nothing
            }
        }
        return out;
    }

    /** Splits /proc/cpuinfo into blank-line separated blocks of "key : value" fields. */
    static List<Map<String, String>> parse(String text) {
        List<Map<String, String>> out = new ArrayList<>();
        if (text == null) return out;
        Map<String, String> cur = new LinkedHashMap<>();
        for (String line : text.split("\n", -1)) {
            if (line.isBlank()) {
                if (!cur.isEmpty()) out.add(cur);
                cur = new LinkedHashMap<>();
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            cur.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }
        if (!cur.isEmpty()) out.add(cur);
        return out;
    }

    private static Long parseLong(String s) {
        if (s == null) return null;
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private String first(String key) {
        for (Map<String, String> b : blocks) {
            if (b.containsKey("processor") && b.get(key) != null && !b.get(key).isEmpty()) return b.get(key);
        }
        for (Map<String, String> b : blocks) if (b.get(key) != null && !b.get(key).isEmpty()) return b.get(key);
        return null;
    }

    String firstModel() {
        return first("model");
    }

    String firstModelName() {
        return first("model name");
    }

    String firstMicrocode() {
        return first("microcode");
    }

    String firstVendor() {
        return first("vendor_id");
    }

    int firstSiblings() {
        Long s = parseLong(first("siblings"));
        return s == null ? 0 : s.intValue();
    }

    int onlineCount() {
        return online.size();
    }

    int physicalCores() {
        Set<Long> cores = new HashSet<>();
        for (Cpu c : online) cores.add(((long) c.packageId() << 32) | (c.coreId() & 0xffffffffL));
        return cores.size();
    }

    int sockets() {
        Set<Integer> pkgs = new HashSet<>();
        for (Cpu c : online) if (c.packageId() >= 0) pkgs.add(c.packageId());
        return pkgs.size();
    }

    /** Online CPUs grouped by physical package, in package order. */
    List<Package> packages() {
        TreeMap<Integer, List<Cpu>> by = new TreeMap<>();
        for (Cpu c : online) by.computeIfAbsent(Math.max(c.packageId(), 0), k -> new ArrayList<>()).add(c);
        List<Package> out = new ArrayList<>();
        by.forEach((id, cpus) -> out.add(new Package(id, cpus)));
        return out;
    }
}
