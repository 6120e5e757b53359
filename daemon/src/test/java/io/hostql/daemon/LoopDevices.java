package io.hostql.daemon;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Real loop devices for end-to-end tests: {@code losetup /dev/loopN FILE} on an unused number adds a device,
 * LOOP_CTL_REMOVE removes it, {@code losetup -f} / {@code -d} attach to and detach from an existing free one.
 * close() undoes what is left.
 */
final class LoopDevices implements AutoCloseable {
    static {
        Native.register(LoopDevices.class, Platform.C_LIBRARY_NAME);
    }

    private static native int geteuid();

    private static native int open(byte[] path, int flags);

    private static native int ioctl(int fd, long request, long arg);

    private static native int close(int fd);

    private static final long LOOP_CTL_REMOVE = 0x4C81;

    private final Path image;
    private final List<Integer> created = new ArrayList<>();
    private final List<String> attached = new ArrayList<>();

    LoopDevices(Path dir) throws Exception {
        image = dir.resolve("loop-" + System.nanoTime() + ".img");
        Files.write(image, new byte[1 << 20]);
    }

    static boolean available() {
        return geteuid() == 0 && Files.exists(Path.of("/dev/loop-control"))
                && (Files.isExecutable(Path.of("/usr/sbin/losetup")) || Files.isExecutable(Path.of("/sbin/losetup")));
    }

    static boolean root() {
        return geteuid() == 0;
    }

    int create() throws Exception {
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

    String attachFree() throws Exception {
        String dev = run("losetup", "-f", "--show", image.toString()).strip();
        attached.add(dev);
        return dev;
    }

    void detach(String dev) throws Exception {
        if (attached.remove(dev)) run("losetup", "-d", dev);
    }

    void remove(int n) throws Exception {
        detach("/dev/loop" + n);
        int fd = open("/dev/loop-control\0".getBytes(StandardCharsets.US_ASCII), 2 | 0x80000);
        if (fd < 0) throw new IllegalStateException("cannot open /dev/loop-control");
        try {
            for (int attempt = 0; ioctl(fd, LOOP_CTL_REMOVE, n) < 0; attempt++) {
                if (attempt > 100) throw new IllegalStateException("LOOP_CTL_REMOVE loop" + n + " failed: errno " + Native.getLastError());
                Thread.sleep(20); // EBUSY until the detach has finished
            }
        } finally {
            close(fd);
        }
        created.remove(Integer.valueOf(n));
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        return out;
    }

    @Override
    public void close() {
        for (String dev : List.copyOf(attached)) {
            try {
                detach(dev);
            } catch (Exception ignored) {
                // best effort: the test's own failure matters more
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
