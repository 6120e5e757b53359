package io.hostql.tables.storage;

import io.hostql.os.sysfs.SysFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The block devices under /sys/class/block, as osquery enumerates them: parent from the sysfs tree (a
 * partition's disk) or from slaves/ (a device-mapper or md device's backing device); vendor, model and
 * serial from the disk's device/ and inherited by its children; type, UUID and label from the superblock.
 */
final class BlockDevices {
    /** One block device. kernel: sysfs name ("sda1"); name: "/dev/sda1"; node: the file to probe. */
    static final class Device {
        final String kernel;
        final String name;
        final Path sys;
        final Path node;
        String parentKernel;
        String vendor;
        String model;
        String serial;
        Long size;
        Long blockSize;
        Superblocks.Probe probe;
        private boolean resolved;

        Device(String kernel, String name, Path sys, Path node) {
            this.kernel = kernel;
            this.name = name;
            this.sys = sys;
            this.node = node;
        }
    }

    private final Path udevData;
    private final Map<String, Device> byKernel = new TreeMap<>();

    private BlockDevices(Path udevData) {
        this.udevData = udevData;
    }

    /** Enumerates the devices (names and parents only; {@link #resolve} fills the rest). */
    static BlockDevices scan(Path sysClassBlock, Path devDir, Path udevData) {
        BlockDevices all = new BlockDevices(udevData);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(sysClassBlock)) {
            for (Path link : ds) {
                Path sys;
                try {
                    sys = link.toRealPath();
                } catch (IOException e) {
                    continue; // removed while we looked
                }
                if (!Files.exists(sys.resolve("uevent"))) continue;
                String kernel = sys.getFileName().toString();
                String devName = devName(sys, kernel);
                Device d = new Device(kernel, "/dev/" + devName, sys, devDir.resolve(devName));
                if (Files.exists(sys.resolve("partition"))) {
                    // a partition sits in its disk's directory (an NVMe namespace sits in its controller's,
                    // which is no block device: osquery's directory rule would name /dev/nvme0 its parent)
                    d.parentKernel = sys.getParent().getFileName().toString();
                } else {
                    try (DirectoryStream<Path> slaves = Files.newDirectoryStream(sys.resolve("slaves"))) {
                        for (Path s : slaves) {
                            d.parentKernel = s.getFileName().toString();
                            break; // osquery takes the one parent a dm/md device normally has
                        }
                    } catch (IOException e) {
                        // no slaves/: a root device
                    }
                }
                all.byKernel.put(kernel, d);
            }
        } catch (IOException | SecurityException e) {
            // no sysfs: no block devices
        }
        return all;
    }

    /** DEVNAME from the uevent ("cciss/c0d0" for "cciss!c0d0"), else the sysfs name. */
    private static String devName(Path sys, String kernel) {
        String uevent = SysFiles.readRaw(sys.resolve("uevent"));
        if (uevent != null) {
            for (String line : uevent.split("\n")) {
                if (line.startsWith("DEVNAME=") && line.length() > 8 && !line.contains("..")) return line.substring(8);
            }
        }
        return kernel.replace('!', '/');
    }

    List<Device> all() {
        return new ArrayList<>(byKernel.values());
    }

    Device parent(Device d) {
        return d.parentKernel == null ? null : byKernel.get(d.parentKernel);
    }

    String parentName(Device d) {
        Device p = parent(d);
        return p != null ? p.name : d.parentKernel == null ? null : "/dev/" + d.parentKernel;
    }

    /** Devices named in names ("/dev/sda1"), or all when names is empty. */
    List<Device> select(Set<String> names) {
        if (names.isEmpty()) return all();
        List<Device> out = new ArrayList<>();
        for (Device d : byKernel.values()) if (names.contains(d.name)) out.add(d);
        return out;
    }

    /** Reads the sysfs attributes (and the superblock when probe is set) of d and of its ancestors. */
    void resolve(Device d, boolean probe) {
        resolve(d, probe, new HashSet<>());
    }

    private void resolve(Device d, boolean probe, Set<String> seen) {
        if (d.resolved) {
            if (probe && d.probe == null) d.probe = probe(d); // resolved earlier as someone's parent
            return;
        }
        if (!seen.add(d.kernel)) return;
        Device parent = parent(d);
        if (parent != null) resolve(parent, false, seen);
        d.model = SysFiles.read(d.sys.resolve("device/model"));
        d.serial = first(d.sys.resolve("device/wwid"), d.sys.resolve("device/serial"), d.sys.resolve("serial"));
        d.vendor = first(d.sys.resolve("device/vendor"), d.sys.resolve("device/device/vendor"));
        d.size = SysFiles.readLong(d.sys.resolve("size"));
        d.blockSize = SysFiles.readLong(d.sys.resolve("queue/logical_block_size"));
        if (parent != null) {
            // children report their disk's identity, as osquery does
            d.model = parent.model;
            d.serial = parent.serial;
            d.vendor = parent.vendor;
            if (d.blockSize == null) d.blockSize = parent.blockSize; // partitions have no queue/
        }
        if (probe) d.probe = probe(d);
        d.resolved = true;
    }

    /**
     * The superblock, read as libblkid does for osquery. Unreadable nodes (not root, a sandbox) fall back
     * to what udev recorded at its own probe (/run/udev/data), where udev runs.
     */
    private Superblocks.Probe probe(Device d) {
        if (d.size != null && d.size > 0) {
            Superblocks.Probe p = Superblocks.probe(d.node);
            if (p.type() != null) return p;
        }
        String dev = SysFiles.read(d.sys.resolve("dev"));
        if (dev == null || udevData == null) return Superblocks.Probe.NONE;
        String db = SysFiles.readRaw(udevData.resolve("b" + dev));
        if (db == null) return Superblocks.Probe.NONE;
        Map<String, String> env = new HashMap<>();
        for (String line : db.split("\n")) {
            if (!line.startsWith("E:")) continue;
            int eq = line.indexOf('=');
            if (eq > 2) env.put(line.substring(2, eq), line.substring(eq + 1));
        }
        String type = env.get("ID_FS_TYPE");
        if (type == null || type.isEmpty()) return Superblocks.Probe.NONE;
        return new Superblocks.Probe(type, emptyToNull(env.get("ID_FS_UUID")), emptyToNull(env.get("ID_FS_LABEL")));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String first(Path... files) {
        for (Path f : files) {
            String s = SysFiles.read(f);
            if (s != null) return s;
        }
        return null;
    }
}
