package io.hostql.tables.scheduling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The running systemd, asked over D-Bus as systemctl does: ListUnits, then a few properties per unit. */
final class Systemd {
    static final String PRIVATE_SOCKET = "/run/systemd/private";
    static final String SYSTEM_BUS = "/run/dbus/system_bus_socket";
    private static final String DEST = "org.freedesktop.systemd1";
    private static final String PROPS = "org.freedesktop.DBus.Properties";
    private static final long TIMEOUT_MS = 15_000;

    private Systemd() {}

    /** One loaded unit: ListUnits' fields and the properties osquery reads. */
    static final class LoadedUnit {
        String id, description, loadState, activeState, subState, following, objectPath;
        long jobId;
        String jobType, jobPath;
        String fragmentPath = "", sourcePath = "", user = "", unitFileState = "";
    }

    /** Whether systemd is the running service manager (sd_booted()). */
    static boolean booted() {
        return Files.isDirectory(Path.of("/run/systemd/system"));
    }

    /** The loaded units, or null when systemd cannot be reached. */
    static List<LoadedUnit> loadedUnits() {
        if (!booted()) return null;
        for (String[] way : new String[][] {{PRIVATE_SOCKET, "peer"}, {SYSTEM_BUS, "bus"}}) {
            if (!Files.exists(Path.of(way[0]))) continue;
            try (DBusConnection c = DBusConnection.open(way[0], way[1].equals("bus"), TIMEOUT_MS)) {
                return list(c, way[1].equals("bus") ? DEST : null);
            } catch (IOException | RuntimeException e) {
                // try the next way, then fall back to unit files
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    static List<LoadedUnit> list(DBusConnection c, String dest) throws IOException {
        List<Object> reply = c.call(dest, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "ListUnits");
        List<LoadedUnit> units = new ArrayList<>();
        for (Object o : (List<Object>) reply.get(0)) {
            List<Object> f = (List<Object>) o;
            LoadedUnit u = new LoadedUnit();
            u.id = (String) f.get(0);
            u.description = (String) f.get(1);
            u.loadState = (String) f.get(2);
            u.activeState = (String) f.get(3);
            u.subState = (String) f.get(4);
            u.following = (String) f.get(5);
            u.objectPath = (String) f.get(6);
            u.jobId = ((Number) f.get(7)).longValue();
            u.jobType = (String) f.get(8);
            u.jobPath = (String) f.get(9);
            units.add(u);
        }
        // pipelined: every request first, then every reply
        long[][] serials = new long[units.size()][4];
        for (int i = 0; i < units.size(); i++) {
            LoadedUnit u = units.get(i);
            serials[i][0] = c.send(dest, u.objectPath, PROPS, "Get", "org.freedesktop.systemd1.Unit", "FragmentPath");
            serials[i][1] = c.send(dest, u.objectPath, PROPS, "Get", "org.freedesktop.systemd1.Unit", "SourcePath");
            serials[i][2] = c.send(dest, u.objectPath, PROPS, "Get", "org.freedesktop.systemd1.Unit", "UnitFileState");
            serials[i][3] = u.id.endsWith(".service")
                    ? c.send(dest, u.objectPath, PROPS, "Get", "org.freedesktop.systemd1.Service", "User") : -1;
        }
        for (int i = 0; i < units.size(); i++) {
            LoadedUnit u = units.get(i);
            u.fragmentPath = string(c, serials[i][0]);
            u.sourcePath = string(c, serials[i][1]);
            u.unitFileState = string(c, serials[i][2]);
            u.user = serials[i][3] < 0 ? "" : string(c, serials[i][3]);
        }
        return units;
    }

    private static String string(DBusConnection c, long serial) throws IOException {
        try {
            List<Object> r = c.reply(serial);
            return r.isEmpty() || !(r.get(0) instanceof String s) ? "" : s;
        } catch (DBusConnection.DBusError e) {
            return ""; // a unit that went away meanwhile
        }
    }

    /** systemd's object path for a unit: sd_bus_path_encode of its name. */
    static String objectPath(String id) {
        StringBuilder sb = new StringBuilder("/org/freedesktop/systemd1/unit/");
        if (id.isEmpty()) return sb.append('_').toString();
        for (int i = 0; i < id.length(); i++) {
            char ch = id.charAt(i);
            boolean alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
            if (alnum && !(i == 0 && ch >= '0' && ch <= '9')) sb.append(ch);
            else {
                for (byte b : String.valueOf(ch).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    sb.append('_').append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
                }
            }
        }
        return sb.toString();
    }
}
