package io.hostql.publishers.uevent;

import static io.hostql.publishers.uevent.EventRecorder.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.jna.Memory;
import io.hostql.events.Event;
import io.hostql.events.HardwareEvent;
import io.hostql.events.LossEvent;
import io.hostql.os.Libc;
import io.hostql.publishers.uevent.UeventPublisher.Source;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The uevent publisher against the real kernel: real loop devices, real uevent writes, real netlink overflow. */
class UeventPublisherTest {
    static final Path LO_UEVENT = Path.of("/sys/class/net/lo/uevent");
    static final String LO = "/devices/virtual/net/lo";

    @TempDir
    Path tmp;

    final EventRecorder sink = new EventRecorder();
    final List<UeventPublisher> publishers = new ArrayList<>();
    Loops loops;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Libc.geteuid() == 0, "needs root: writes to /sys/.../uevent, attaches loop devices, sends netlink multicasts");
        loops = new Loops(tmp);
    }

    @AfterEach
    void tearDown() throws Exception {
        publishers.forEach(UeventPublisher::close);
        if (loops != null) loops.close();
    }

    UeventPublisher start(Source source, int buffer, Udevd udevd) {
        UeventPublisher p = new UeventPublisher(source, buffer, sink, new Sysfs(Path.of("/sys")), udevd);
        publishers.add(p);
        p.start();
        return p;
    }

    UeventPublisher startKernel() {
        return start(Source.KERNEL, 16 << 20, notRunning());
    }

    Udevd notRunning() {
        return new Udevd(tmp.resolve("no-udev-control"), tmp.resolve("no-proc"));
    }

    static void changeLo() throws Exception {
        Files.writeString(LO_UEVENT, "change");
    }

    static Predicate<HardwareEvent> real() {
        return e -> !e.synthetic();
    }

    static Predicate<HardwareEvent> synthetic() {
        return HardwareEvent::synthetic;
    }

    /** Waits for a change of lo written after this call: everything the kernel sent before it has been handled. */
    HardwareEvent sync() throws Exception {
        int seen = sink.hardware(at(LO, "change")).size();
        changeLo();
        long end = System.nanoTime() + 5_000_000_000L;
        while (sink.hardware(at(LO, "change")).size() <= seen) {
            if (System.nanoTime() > end) throw new AssertionError("the change of lo was not seen; recorded: " + sink.all());
            Thread.sleep(5);
        }
        List<HardwareEvent> all = sink.hardware(at(LO, "change"));
        return all.get(all.size() - 1);
    }

    @Test
    void aNewLoopDeviceIsAddedChangedAndRemoved() throws Exception {
        assumeTrue(Loops.available(), "needs losetup and /dev/loop-control");
        startKernel();
        int n = loops.create();
        String devpath = Loops.devpath(n);
        HardwareEvent add = sink.await("add of loop" + n, at(devpath, "add"));
        assertThat(add.source()).isEqualTo(HardwareEvent.SOURCE_KERNEL);
        assertThat(add.synthetic()).isFalse();
        assertThat(add.property("DEVTYPE")).isEqualTo("disk");
        assertThat(add.property("DEVNAME")).isEqualTo("loop" + n);
        assertThat(add.property("SUBSYSTEM")).isEqualTo("block");
        assertThat(add.seqnum()).isPositive();
        assertThat(add.attributes()).as("attributes are read for devices with a DEVTYPE").isNotNull();
        sink.await("change of loop" + n + " when its file is attached", at(devpath, "change"));
        loops.remove(n);
        HardwareEvent remove = sink.await("remove of loop" + n, at(devpath, "remove"));
        assertThat(remove.property("DEVTYPE")).isEqualTo("disk");
        assertThat(remove.seqnum()).isGreaterThan(add.seqnum());
    }

    @Test
    void losetupFindAndDetachChangeTheFreeDevice() throws Exception {
        assumeTrue(Loops.available(), "needs losetup and /dev/loop-control");
        startKernel();
        String dev = loops.attachFree();
        String devpath = "/devices/virtual/block/" + dev.substring("/dev/".length());
        int attach = sink.await("change of " + dev + " on attach", at(devpath, "change").or(at(devpath, "add"))) == null ? 0 : 1;
        int before = sink.hardware(at(devpath, "change")).size();
        loops.detach(dev);
        // The kernel may send more than one change around an attach: the detach's is the one that changes the medium.
        Predicate<HardwareEvent> mediumChange = e -> "1".equals(e.property("DISK_MEDIA_CHANGE"));
        long end = System.nanoTime() + 5_000_000_000L;
        while (sink.hardware(at(devpath, "change")).stream().skip(before).noneMatch(mediumChange) && System.nanoTime() < end) Thread.sleep(5);
        List<HardwareEvent> changes = sink.hardware(at(devpath, "change"));
        assertThat(changes.size()).as("a change on detach too").isGreaterThan(before);
        assertThat(attach).isOne();
        List<HardwareEvent> afterDetach = changes.subList(before, changes.size());
        HardwareEvent last = afterDetach.stream().filter(mediumChange).findFirst().orElse(afterDetach.get(afterDetach.size() - 1));
        assertThat(last.property("DEVTYPE")).isEqualTo("disk");
        assertThat(last.property("DEVNAME")).isEqualTo(dev.substring("/dev/".length()));
        assertThat(last.property("DISK_MEDIA_CHANGE")).as("detaching changes the medium").isEqualTo("1");
    }

    @Test
    void aChangeOfTheLoopbackInterfaceIsSeen() throws Exception {
        startKernel();
        HardwareEvent e = sync();
        assertThat(e.property("SUBSYSTEM")).isEqualTo("net");
        assertThat(e.property("INTERFACE")).isEqualTo("lo");
        assertThat(e.property("DEVTYPE")).isNull();
        assertThat(e.attributes()).as("no DEVTYPE: nothing to enrich (osquery keeps no row for it)").isNull();
    }

    @Test
    void theStatusLogSaysTheReceiveBufferAskedAndWhatTheKernelReportsInMiB() {
        Logger logger = (Logger) LoggerFactory.getLogger(UeventPublisher.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            UeventPublisher p = start(Source.KERNEL, 16 << 20, notRunning());
            assertThat(p.stats().receiveBufferBytes()).as("forced as root; the kernel reports it doubled").isEqualTo(32 << 20);
        } finally {
            logger.detachAppender(logs);
        }
        assertThat(logs.list).map(ILoggingEvent::getFormattedMessage).filteredOn(m -> m.startsWith("uevent: started"))
                .singleElement().asString()
                .contains("receive buffer 16 MiB asked, 32 MiB reported by the kernel (which doubles SO_RCVBUF for its bookkeeping)");
        assertThat(UeventSocket.mib(134217728)).isEqualTo("128 MiB");
        assertThat(UeventSocket.mib(3 << 19)).isEqualTo("1.50 MiB");
        assertThat(UeventSocket.mib(425984)).as("net.core.rmem_max's usual 208 KiB, doubled").isEqualTo("0.406 MiB");
    }

    @Test
    void aFloodIntoASmallBufferIsRecordedAsLossAndResynchronised() throws Exception {
        assumeTrue(Loops.available(), "needs losetup and /dev/loop-control");
        UeventPublisher p = start(Source.KERNEL, 4096, notRunning());
        assertThat(p.stats().receiveBufferBytes()).as("the small buffer was forced").isLessThan(16384);
        int gone = loops.create();
        sink.await("add of loop" + gone, at(Loops.devpath(gone), "add"));
        long firstSeq = sync().seqnum();

        p.pauseReading();
        for (int i = 0; i < 5000; i++) changeLo();
        int added = loops.create(); // its uevents find the buffer full
        loops.remove(gone);
        p.resumeReading();

        LossEvent loss = sink.awaitLoss("a loss record from the uevent publisher", l -> l.source().equals("uevent"));
        assertThat(loss.reason()).contains("ENOBUFS").contains("resynchronised from /sys");
        assertThat(loss.count()).isPositive();
        HardwareEvent add = sink.await("synthetic add of loop" + added, at(Loops.devpath(added), "add").and(synthetic()));
        assertThat(add.property("DEVTYPE")).isEqualTo("disk");
        assertThat(add.property("DEVNAME")).isEqualTo("loop" + added);
        assertThat(add.property("SUBSYSTEM")).isEqualTo("block");
        assertThat(add.property("SEQNUM")).isNull();
        HardwareEvent remove = sink.await("synthetic remove of loop" + gone, at(Loops.devpath(gone), "remove").and(synthetic()));
        assertThat(remove.property("DEVNAME")).isEqualTo("loop" + gone);
        assertThat(sink.hardware(at(Loops.devpath(added), "add").and(real()))).as("its real add was dropped").isEmpty();
        List<Event> all = sink.all();
        assertThat(all.indexOf(loss)).as("the loss record comes before the reconstruction").isLessThan(all.indexOf(add));

        // Every uevent of the flood either arrived or is counted in a loss record.
        long arrived = sink.hardware(at(LO, "change").and(e -> e.seqnum() > firstSeq)).size();
        long counted = sink.losses().stream().filter(l -> l.source().equals("uevent")).mapToLong(LossEvent::count).sum();
        assertThat(arrived + counted).isGreaterThanOrEqualTo(5000);

        HardwareEvent after = sync();
        assertThat(after.synthetic()).isFalse();
        UeventPublisher.Stats s = p.stats();
        assertThat(s.overflows()).isPositive();
        assertThat(s.resyncs()).isPositive();
        assertThat(s.synthetic()).isGreaterThanOrEqualTo(2);
        assertThat(s.lost()).isEqualTo(counted);
    }

    // ---- the udev group and message validation ---------------------------------------------------

    static byte[] nul(String... kv) {
        return (String.join("\0", kv) + "\0").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] libudev(int magic, byte[] props) {
        return UeventMessageTest.libudev(magic, 40, props.length, props);
    }

    /** Sends a datagram to a uevent multicast group, as systemd-udevd does (root only). */
    static void send(int group, byte[] message) {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.NETLINK_KOBJECT_UEVENT);
        assertThat(fd).isNotNegative();
        try {
            Memory addr = new Memory(Libc.SOCKADDR_NL_SIZE);
            addr.clear();
            addr.setShort(0, (short) Libc.AF_NETLINK);
            addr.setInt(Libc.NL_GROUPS, group);
            long r = Libc.sendto(fd, message, message.length, 0, addr, Libc.SOCKADDR_NL_SIZE);
            assertThat(r).as("sendto: " + Libc.errorText(com.sun.jna.Native.getLastError())).isEqualTo(message.length);
        } finally {
            Libc.close(fd);
        }
    }

    static byte[] udevAdd(String devpath, long seqnum) {
        return libudev(0xfeedcafe, nul("ACTION=add", "DEVPATH=" + devpath, "SUBSYSTEM=usb", "DEVNAME=/dev/bus/usb/009/042",
                "DEVTYPE=usb_device", "SEQNUM=" + seqnum, "ID_VENDOR_ID=0781", "ID_MODEL_FROM_DATABASE=Cruzer Blade"));
    }

    @Test
    void theUdevGroupCarriesUdevsPropertiesFromRootOnly() throws Exception {
        UeventPublisher p = start(Source.UDEV, 1 << 20, notRunning());
        assertThat(p.group()).isEqualTo("udev");
        String devpath = "/devices/virtual/hostql-test/udev-" + System.nanoTime();
        send(Libc.GROUP_UDEV, libudev(0x12345678, nul("ACTION=add", "DEVPATH=" + devpath + "-badmagic")));
        send(Libc.GROUP_UDEV, udevAdd(devpath, 777));
        HardwareEvent e = sink.await("the udev message", at(devpath, "add"));
        assertThat(e.source()).isEqualTo(HardwareEvent.SOURCE_UDEV);
        assertThat(e.property("ID_MODEL_FROM_DATABASE")).isEqualTo("Cruzer Blade");
        assertThat(e.property("DEVNAME")).isEqualTo("/dev/bus/usb/009/042");
        assertThat(e.seqnum()).isEqualTo(777);
        assertThat(sink.hardware(x -> x.devpath().endsWith("-badmagic"))).isEmpty();
        assertThat(p.stats().rejected()).isEqualTo(1);
    }

    @Test
    void aProcessCannotPoseAsTheKernel() throws Exception {
        UeventPublisher p = startKernel();
        String forged = "/devices/virtual/hostql-test/forged-" + System.nanoTime();
        send(Libc.GROUP_KERNEL, nul("add@" + forged, "ACTION=add", "DEVPATH=" + forged, "SUBSYSTEM=block", "DEVTYPE=disk", "DEVNAME=sdz"));
        sync();
        assertThat(sink.hardware(e -> e.devpath().equals(forged))).isEmpty();
        assertThat(p.stats().rejected()).isEqualTo(1);
    }

    @Test
    void autoFollowsUdevdStartingAndStopping() throws Exception {
        Path control = Files.createFile(tmp.resolve("control"));
        Path proc = Files.createDirectories(tmp.resolve("proc/4321"));
        Files.writeString(proc.resolve("stat"), "4321 (systemd-udevd) S 1 4321 4321 0 -1 4194560 ...\n");
        UeventPublisher p = start(Source.AUTO, 1 << 20, new Udevd(control, tmp.resolve("proc")));
        assertThat(p.group()).as("udevd runs: its group").isEqualTo("udev");
        String devpath = "/devices/virtual/hostql-test/auto-" + System.nanoTime();
        send(Libc.GROUP_UDEV, udevAdd(devpath, 1));
        sink.await("udev's message", at(devpath, "add"));

        Files.delete(control);
        LossEvent stopped = sink.awaitLoss("udevd stopped", l -> l.reason().contains("systemd-udevd stopped"));
        assertThat(stopped.reason()).contains("resynchronised from /sys");
        assertThat(p.group()).isEqualTo("kernel");
        HardwareEvent fromKernel = sync();
        assertThat(fromKernel.source()).isEqualTo(HardwareEvent.SOURCE_KERNEL);

        Files.createFile(control);
        long end = System.nanoTime() + 5_000_000_000L;
        while (!p.group().equals("udev") && System.nanoTime() < end) Thread.sleep(20);
        assertThat(p.group()).as("udevd is back").isEqualTo("udev");
        // udev passes on what the kernel sent before the switch: already published, so dropped once
        String dup = "/devices/virtual/hostql-test/dup-" + System.nanoTime(), fresh = dup + "-fresh";
        send(Libc.GROUP_UDEV, udevAdd(dup, fromKernel.seqnum()));
        send(Libc.GROUP_UDEV, udevAdd(fresh, fromKernel.seqnum() + 1_000_000));
        sink.await("a new udev message", at(fresh, "add"));
        assertThat(sink.hardware(e -> e.devpath().equals(dup))).isEmpty();
        assertThat(p.stats().duplicates()).isEqualTo(1);
    }

    @Test
    void closeIsPromptAndFinal() throws Exception {
        UeventPublisher p = startKernel();
        long t0 = System.nanoTime();
        p.close();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1500);
        int before = sink.all().size();
        changeLo();
        Thread.sleep(200);
        assertThat(sink.all()).hasSize(before);
        p.close();
    }
}
