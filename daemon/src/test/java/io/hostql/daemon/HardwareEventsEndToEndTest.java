package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hostql.publishers.uevent.Loops;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hotplug scenarios against a real hostqld and the real kernel: loop devices added, changed
 * and removed become hardware_events rows within 2 s; a change of lo is seen but, as in osquery, kept out
 * (it has no DEVTYPE); a reader stalled while 5,000 uevents arrive leads to a loss record and a resync.
 */
class HardwareEventsEndToEndTest {
    static final Path LO_UEVENT = Path.of("/sys/class/net/lo/uevent");

    @TempDir
    Path tmp;

    DaemonProcess daemon;
    Loops loops;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Loops.available(), "needs root, losetup and /dev/loop-control: attaches loop devices and writes /sys/.../uevent");
        loops = new Loops(tmp);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (loops != null) loops.close();
        if (daemon != null) daemon.close();
    }

    Path config(String disabledTypes) throws Exception {
        return Files.writeString(tmp.resolve("hostql.conf"), "{\"options\": {\"hardware_disabled_types\": \"" + disabledTypes + "\"}}");
    }

    DaemonProcess start(String... extra) throws Exception {
        daemon = DaemonProcess.start(config("partition"), tmp.resolve("data"), extra);
        return daemon;
    }

    List<Object[]> rows(String devpath) {
        return query(daemon.data, "SELECT action, path, type, driver, synthetic, seqnum FROM hardware_events WHERE devpath = '" + devpath
                + "' ORDER BY eid").rows();
    }

    void expect(String devpath, String action, boolean synthetic) throws InterruptedException {
        try {
            DaemonProcess.waitFor(() -> rows(devpath).stream().anyMatch(r -> r[0].equals(action) && r[4].equals(synthetic ? 1L : 0L)), 30,
                    (synthetic ? "a synthetic " : "") + action + " row for " + devpath);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nhostqld output:\n" + daemon.output(), e);
        }
    }

    static String devpath(int n) {
        return "/devices/virtual/block/loop" + n;
    }

    @Test
    void anAlertRuleOnALoopDiskAddIsOneResultLineWithinASecond() throws Exception {
        Path config = Files.writeString(tmp.resolve("alerts.conf"), """
                {"alerts": {"usb_storage": {"table": "hardware_events", "where": "action = 'add' AND type = 'disk'"}}}
                """);
        daemon = DaemonProcess.start(config, tmp.resolve("data"), "--hardware_events_source=kernel");
        Path results = daemon.logs.resolve("hostqld.results.log");
        long t0 = System.nanoTime();
        int n = loops.create();
        DaemonProcess.waitFor(() -> lines(results).size() >= 1, 5, "the alert line");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        expect(devpath(n), "change", false);
        Thread.sleep(300);
        List<String> lines = lines(results);
        assertThat(lines).as("one line: the add, not the change").hasSize(1);
        assertThat(ms).as("ms from creating the device to the result line").isLessThan(1000);
        com.fasterxml.jackson.databind.JsonNode line = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(0));
        assertThat(line.get("name").asText()).isEqualTo("usb_storage");
        assertThat(line.get("columns").get("path").asText()).isEqualTo("/dev/loop" + n);
        assertThat(line.get("columns").get("action").asText()).isEqualTo("add");
    }

    private static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    @Test
    void loopDevicesAddedChangedAndRemovedAreRows() throws Exception {
        start("--hardware_events_source=kernel");
        int n = loops.create();
        expect(devpath(n), "add", false);
        expect(devpath(n), "change", false);
        Object[] add = rows(devpath(n)).get(0);
        assertThat(add).containsExactly("add", "/dev/loop" + n, "disk", "", 0L, add[5]);
        assertThat((Long) add[5]).isPositive();
        loops.remove(n);
        expect(devpath(n), "remove", false);
        assertThat(rows(devpath(n)).get(rows(devpath(n)).size() - 1)).startsWith("remove", "/dev/loop" + n, "disk");

        // losetup -f --show, then -d: the free device exists already, so the kernel reports changes
        String dev = loops.attachFree();
        String free = "/devices/virtual/block/" + dev.substring("/dev/".length());
        expect(free, "change", false);
        int attached = rows(free).size();
        loops.detach(dev);
        DaemonProcess.waitFor(() -> rows(free).size() > attached, 30, "the change row of the detach");
        assertThat(rows(free)).allSatisfy(r -> assertThat(r).startsWith("change", dev, "disk"));

        // lo has no DEVTYPE: seen, and not kept (osquery's rule)
        Files.writeString(LO_UEVENT, "change");
        int m = loops.create();
        expect(devpath(m), "add", false);
        assertThat(query(daemon.data, "SELECT count(*) FROM hardware_events WHERE devpath = '/devices/virtual/net/lo'").rows().get(0)[0])
                .isEqualTo(0L);
        assertThat(query(daemon.data, "SELECT count(*) FROM hostql_event_losses WHERE source = 'uevent'").rows().get(0)[0]).isEqualTo(0L);
        assertThat(daemon.stop()).isZero();
    }

    @Test
    void hardwareDisabledTypesComesFromTheConfigAndFollowsAReload() throws Exception {
        daemon = DaemonProcess.start(config("disk,partition"), tmp.resolve("data"), "--hardware_events_source=kernel");
        // hidden stays attached until the end, so the kernel cannot give its number to shown.
        int hidden = loops.create();
        Files.writeString(LO_UEVENT, "change");
        Thread.sleep(500);
        assertThat(rows(devpath(hidden))).as("disk is disabled").isEmpty();
        config("partition");
        daemon.signal("HUP");
        DaemonProcess.waitFor(() -> daemon.output().contains("config reloaded"), 10, "the reload");
        int shown = loops.create();
        assertThat(shown).isNotEqualTo(hidden);
        expect(devpath(shown), "add", false);
        assertThat(rows(devpath(hidden))).isEmpty();
        assertThat(daemon.stop()).isZero();
        loops.remove(hidden);
    }

    @Test
    void aStalledReaderUnderAFloodRecordsTheLossAndResynchronises() throws Exception {
        start("--hardware_events_source=kernel", "--hardware_events_receive_buffer=4096");
        int gone = loops.create();
        expect(devpath(gone), "add", false);

        daemon.signal("STOP");
        int added;
        try {
            for (int i = 0; i < 5000; i++) Files.writeString(LO_UEVENT, "change");
            added = loops.create();
            loops.remove(gone);
        } finally {
            daemon.signal("CONT");
        }
        DaemonProcess.waitFor(() -> (Long) query(daemon.data, "SELECT count(*) FROM hostql_event_losses WHERE source = 'uevent'").rows()
                .get(0)[0] > 0, 5, "a uevent loss record");
        Object[] loss = query(daemon.data, "SELECT count, reason FROM hostql_event_losses WHERE source = 'uevent'").rows().get(0);
        assertThat((Long) loss[0]).as("all but the few uevents the 8 KiB buffer held").isBetween(4900L, 5100L);
        assertThat((String) loss[1]).contains("ENOBUFS").contains("resynchronised from /sys");
        expect(devpath(added), "add", true);
        expect(devpath(gone), "remove", true);
        assertThat(rows(devpath(added))).as("its real add was dropped").noneMatch(r -> r[0].equals("add") && r[4].equals(0L));

        assertThat(daemon.process.isAlive()).isTrue();
        loops.remove(added);
        expect(devpath(added), "remove", false);
        assertThat(daemon.stop()).isZero();
    }
}
