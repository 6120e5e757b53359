package io.hostql.tables.scheduling;

import static io.hostql.tables.TableTests.hasCommand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The D-Bus client against a real dbus-daemon started for the test (systemd speaks the same protocol). */
class DBusConnectionTest {
    private static final String DBUS = "org.freedesktop.DBus";
    private static final String PATH = "/org/freedesktop/DBus";

    /** Starts a private dbus-daemon listening on dir/bus. */
    static Process startDaemon(Path dir) throws Exception {
        Assumptions.assumeTrue(hasCommand("dbus-daemon"), "needs dbus-daemon (Debian package dbus-daemon)");
        Path socket = dir.resolve("bus");
        Path conf = dir.resolve("bus.conf");
        Files.writeString(conf, String.join("\n",
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"",
                " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">",
                "<busconfig>", "  <type>custom</type>", "  <listen>unix:path=" + socket + "</listen>",
                "  <auth>EXTERNAL</auth>",
                "  <policy context=\"default\"><allow send_destination=\"*\"/><allow receive_sender=\"*\"/><allow own=\"*\"/></policy>",
                "</busconfig>", ""));
        Process daemon = new ProcessBuilder("dbus-daemon", "--config-file=" + conf, "--nofork", "--nopidfile")
                .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile()).start();
        for (int i = 0; i < 100 && !Files.exists(socket); i++) Thread.sleep(50);
        assertThat(socket).exists();
        return daemon;
    }

    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
    }

    @Test
    @SuppressWarnings("unchecked")
    void talksToARealDbusDaemon(@TempDir Path dir) throws Exception {
        Process daemon = startDaemon(dir);
        Path socket = dir.resolve("bus");
        try {
            try (DBusConnection c = DBusConnection.open(socket.toString(), true, 10_000)) {
                List<Object> names = c.call(DBUS, PATH, DBUS, "ListNames");
                assertThat((List<Object>) names.get(0)).contains(DBUS);

                String id = (String) c.call(DBUS, PATH, DBUS, "GetId").get(0);
                assertThat(id).matches("[0-9a-f]{32}");

                // pipelined calls, replies taken out of order
                long a = c.send(DBUS, PATH, DBUS, "NameHasOwner", DBUS);
                long b = c.send(DBUS, PATH, "org.freedesktop.DBus.Properties", "GetAll", DBUS);
                long e = c.send(DBUS, PATH, DBUS, "NoSuchMethod");
                Map<Object, Object> props = (Map<Object, Object>) c.reply(b).get(0);
                assertThat(props).containsKeys("Features", "Interfaces");
                assertThat(props.get("Interfaces")).isInstanceOf(List.class);
                assertThat(c.reply(a)).containsExactly(true);
                assertThatThrownBy(() -> c.reply(e)).isInstanceOf(DBusConnection.DBusError.class)
                        .hasMessageContaining("org.freedesktop.DBus.Error.UnknownMethod");

                Object features = c.call(DBUS, PATH, "org.freedesktop.DBus.Properties", "Get", DBUS, "Features").get(0);
                assertThat(features).isInstanceOf(List.class);
            }
        } finally {
            stop(daemon);
        }
    }

    private static final String FAKE_SYSTEMD = String.join("\n",
            "import sys, dbus, dbus.service, dbus.mainloop.glib",
            "from gi.repository import GLib",
            "dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)",
            "bus = dbus.bus.BusConnection(sys.argv[1])",
            "name = dbus.service.BusName('org.freedesktop.systemd1', bus)",
            "UNITS = {'ssh.service': ('OpenBSD Secure Shell server', 'loaded', 'active', 'running', '', 0, '', '/'),",
            "         'dev-sda.device': ('QEMU disk', 'loaded', 'active', 'plugged', 'sys-devices-x.device', 7, 'start', '/org/freedesktop/systemd1/job/7')}",
            "PROPS = {'ssh.service': {'FragmentPath': '/lib/systemd/system/ssh.service', 'SourcePath': '', 'UnitFileState': 'enabled', 'User': 'root'},",
            "         'dev-sda.device': {'FragmentPath': '', 'SourcePath': '', 'UnitFileState': ''}}",
            "def path(u):",
            "    return '/org/freedesktop/systemd1/unit/' + ''.join(c if c.isalnum() else '_%02x' % ord(c) for c in u)",
            "BYPATH = {path(u): u for u in UNITS}",
            "class Manager(dbus.service.Object):",
            "    @dbus.service.method('org.freedesktop.systemd1.Manager', in_signature='', out_signature='a(ssssssouso)')",
            "    def ListUnits(self):",
            "        return [(u, d, l, a, s, f, dbus.ObjectPath(path(u)), dbus.UInt32(j), jt, dbus.ObjectPath(jp))",
            "                for u, (d, l, a, s, f, j, jt, jp) in UNITS.items()]",
            "class Units(dbus.service.FallbackObject):",
            "    @dbus.service.method('org.freedesktop.DBus.Properties', in_signature='ss', out_signature='v', rel_path_keyword='rel')",
            "    def Get(self, iface, prop, rel=None):",
            "        u = BYPATH['/org/freedesktop/systemd1/unit' + rel]",
            "        if prop not in PROPS[u]:",
            "            raise dbus.exceptions.DBusException('no such property', name='org.freedesktop.DBus.Error.UnknownProperty')",
            "        return dbus.String(PROPS[u][prop], variant_level=1)",
            "Manager(bus, '/org/freedesktop/systemd1')",
            "Units(bus, '/org/freedesktop/systemd1/unit')",
            "print('ready', flush=True)",
            "GLib.MainLoop().run()",
            "");

    @Test
    void readsLoadedUnitsFromASystemdLikeService(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs Debian's python3 with python3-dbus and python3-gi");
        Assumptions.assumeTrue(io.hostql.tables.TableTests.run("/usr/bin/python3", "-c",
                "import dbus.service, dbus.mainloop.glib\nfrom gi.repository import GLib\nprint('ok')").contains("ok"),
                "needs python3-dbus and python3-gi for the fake systemd");
        Process daemon = startDaemon(dir);
        Path script = dir.resolve("fake_systemd.py");
        Files.writeString(script, FAKE_SYSTEMD);
        Process fake = new ProcessBuilder("/usr/bin/python3", script.toString(), "unix:path=" + dir.resolve("bus"))
                .redirectError(dir.resolve("fake.log").toFile()).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(fake.getInputStream()));
            assertThat(out.readLine()).as("fake systemd started").isEqualTo("ready");
            try (DBusConnection c = DBusConnection.open(dir.resolve("bus").toString(), true, 10_000)) {
                List<Systemd.LoadedUnit> units = Systemd.list(c, "org.freedesktop.systemd1");
                assertThat(units).hasSize(2);
                Systemd.LoadedUnit ssh = units.stream().filter(u -> u.id.equals("ssh.service")).findFirst().orElseThrow();
                assertThat(ssh.description).isEqualTo("OpenBSD Secure Shell server");
                assertThat(ssh.activeState).isEqualTo("active");
                assertThat(ssh.subState).isEqualTo("running");
                assertThat(ssh.objectPath).isEqualTo(Systemd.objectPath("ssh.service"));
                assertThat(ssh.fragmentPath).isEqualTo("/lib/systemd/system/ssh.service");
                assertThat(ssh.unitFileState).isEqualTo("enabled");
                assertThat(ssh.user).isEqualTo("root");
                assertThat(ssh.jobId).isZero();
                assertThat(ssh.jobPath).isEqualTo("/");
                Systemd.LoadedUnit dev = units.stream().filter(u -> u.id.equals("dev-sda.device")).findFirst().orElseThrow();
                assertThat(dev.following).isEqualTo("sys-devices-x.device");
                assertThat(dev.jobId).isEqualTo(7);
                assertThat(dev.jobType).isEqualTo("start");
                assertThat(dev.user).isEmpty();
            }
        } finally {
            stop(fake);
            stop(daemon);
        }
    }

    @Test
    void signaturesSplitIntoCompleteTypes() {
        assertThat(DBusConnection.splitSignature("a(ssssssouso)sa{sv}v(ia(yv))u"))
                .containsExactly("a(ssssssouso)", "s", "a{sv}", "v", "(ia(yv))", "u");
    }

    @Test
    void refusesASocketThatIsNotThere(@TempDir Path dir) {
        assertThatThrownBy(() -> DBusConnection.open(dir.resolve("none").toString(), true, 1000))
                .isInstanceOf(java.io.IOException.class);
    }
}
