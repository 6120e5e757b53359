package io.hostql.publishers.uevent;

import io.hostql.os.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Real loop devices for the tests: {@code losetup /dev/loopN FILE} on a number that does not exist yet
 * makes the kernel add a device (an "add" uevent); LOOP_CTL_REMOVE removes it ("remove"). Attaching to an
 * existing free device ({@code losetup -f}) only changes it ("change"). Everything made is undone by close().
 * Also used by the daemon's end-to-end tests (the publishers test-jar).
 */
public final class Loops implements AutoCloseable {
    private final Path image;
    private final List<Integer> created = new ArrayList<>();
    private final List<String> attached = new ArrayList<>();

    public Loops(Path dir) throws IOException {
        image = dir.resolve("loop.img");
        Files.write(image, new byte[1 << 20]);
    }

    public static boolean available() {
        return Libc.geteuid() == 0 && Files.exists(Path.of("/dev/loop-control"))
                && (Files.isExecutable(Path.of("/usr/sbin/losetup")) || Files.isExecutable(Path.of("/sbin/losetup")));
    }

    public static String devpath(int n) {
        return "/devices/virtual/block/loop" + n;
    }

    /** Adds loop device N (a number not in use) by attaching the image to it; returns N. */
    public int create() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            int n = ThreadLocalRandom.current().nextInt(300, 900);
            if (Files.exists(Path.of("/sys/class/block/loop" + n))) continue;
            run("losetup", "/dev/loop" + n, image.toString());
            created.add(n);
            attached.add("/dev/loop" + n);
            return n;
        }
        throw new IllegalStateException("no free loop device number");
    }

    /** losetup -f --show: attaches the image to the first free device (which usually exists already). */
    public String attachFree() throws Exception {
        String dev = run("losetup", "-f", "--show", image.toString()).strip();
        attached.add(dev);
        return dev;
    }

    public void detach(String dev) throws Exception {
        if (attached.remove(dev)) run("losetup", "-d", dev);
    }

    /** Detaches loop device N and removes it from the kernel. */
    public void remove(int n) throws Exception {
        detach("/dev/loop" + n);
        int fd = Libc.open("/dev/loop-control\0".getBytes(StandardCharsets.US_ASCII), Libc.O_RDWR | Libc.O_CLOEXEC);
        if (fd < 0) throw new IllegalStateException("cannot open /dev/loop-control");
        try {
            for (int attempt = 0; ; attempt++) {
                if (Libc.ioctl(fd, Libc.LOOP_CTL_REMOVE, n) >= 0) break;
                // EBUSY while the detach finishes asynchronously
                if (attempt > 100) throw new IllegalStateException("LOOP_CTL_REMOVE loop" + n + " failed: errno " + com.sun.jna.Native.getLastError());
                Thread.sleep(20);
            }
        } finally {
            Libc.close(fd);
        }
        created.remove(Integer.valueOf(n));
    }

    public static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        return out;
    }

    @Override
    public void close() throws Exception {
        for (String dev : List.copyOf(attached)) {
            try {
                detach(dev);
            } catch (Exception ignored) {
                // best effort: the test's own assertion failure matters more
            }
        }
        for (int n : List.copyOf(created)) {
            try {
                remove(n);
            } catch (Exception ignored) {
                // best effort
            }
        }
    }
}
