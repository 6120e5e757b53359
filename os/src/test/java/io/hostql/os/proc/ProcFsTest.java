package io.hostql.os.proc;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.os.Libc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The /proc reader against this JVM's own process, with Java's ProcessHandle and java.nio as the witnesses. */
class ProcFsTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void containerIdsFromCgroupPaths() {
        String id = "4f8c2b1e9a0d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b";
        assertThat(ProcFs.containerId("/system.slice/docker-" + id + ".scope")).isEqualTo(id);
        assertThat(ProcFs.containerId("/docker/" + id)).isEqualTo(id);
        assertThat(ProcFs.containerId("/kubepods.slice/kubepods-pod1.slice/cri-containerd-" + id + ".scope")).isEqualTo(id);
        assertThat(ProcFs.containerId("/user.slice/user-0.slice/session-3.scope")).isNull();
        assertThat(ProcFs.containerId(null)).isNull();
    }

    @Test
    void thisProcessHasACgroupAParentAnExecutableAndACommandLine() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        assertThat(ProcFs.cgroup(SELF)).startsWith("/");
        assertThat(ProcFs.ppid(SELF)).isEqualTo((int) ProcessHandle.current().parent().orElseThrow().pid());
        assertThat(new String(ProcFs.exe(SELF))).isEqualTo(info.command().orElseThrow());
        String cmdline = new String(ProcFs.cmdline(SELF), StandardCharsets.UTF_8);
        String[] args = info.arguments().orElseThrow();
        assertThat(cmdline).endsWith(args.length == 0 ? "java" : " " + args[args.length - 1]);
        assertThat(cmdline).doesNotContain("\0");
        // the kernel's name for a Java process's main thread, its command's name cut to 15 bytes ("java")
        String name = Path.of(info.command().orElseThrow()).getFileName().toString();
        assertThat(ProcFs.comm(SELF)).isEqualTo(name.length() > 15 ? name.substring(0, 15) : name);
    }

    @Test
    void aProcessThatIsGoneReadsAsNothing() {
        long gone = Integer.MAX_VALUE - 1;
        assertThat(ProcFs.cmdline(gone)).isNull();
        assertThat(ProcFs.comm(gone)).isNull();
        assertThat(ProcFs.exe(gone)).isNull();
        assertThat(ProcFs.cgroup(gone)).isNull();
        assertThat(ProcFs.ppid(gone)).isEqualTo(-1);
        assertThat(new ProcFs().isProcess(gone)).isFalse();
        assertThat(ProcFs.fds(gone)).isNull();
    }

    @Test
    void bootTimeIsBeforeThisProcessStarted() {
        long boot = ProcFs.bootTime();
        long started = ProcessHandle.current().info().startInstant().orElseThrow().getEpochSecond();
        assertThat(boot).isPositive().isLessThanOrEqualTo(started);
    }

    @Test
    void theBufferGrowsForLargeFilesAndListsMatchTheKernel() throws Exception {
        ProcFs fs = new ProcFs(16); // smaller than any maps file
        byte[] maps = fs.read(ProcFs.cpath(ProcFs.pidDir(SELF), "maps"));
        assertThat(maps.length).isGreaterThan(16);
        assertThat(new String(maps, StandardCharsets.US_ASCII)).contains("[stack]");
        assertThat(fs.readLink(ProcFs.cpath(ProcFs.pidDir(SELF), "cwd")))
                .isEqualTo(Path.of("").toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
        assertThat(fs.isProcess(SELF)).isTrue();
        assertThat(ProcFs.allPids()).contains(SELF, 1L).isSorted();
        assertThat(ProcFs.fds(SELF)).contains(0L, 1L, 2L).isSorted();
        long[] devIno = fs.devIno(Libc.cPath("/proc/self/exe"));
        Object key = Files.readAttributes(Path.of("/proc/self/exe"), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        assertThat(key.toString()).contains("ino=" + devIno[1]);
    }

    @Test
    void byteParsing() {
        byte[] b = "Tgid:\t 42\nx ff".getBytes(StandardCharsets.US_ASCII);
        assertThat(ProcFs.parseLong(b, 5, b.length)).isEqualTo(42);
        assertThat(ProcFs.parseHex(b, 12, 14)).isEqualTo(255);
        assertThat(ProcFs.parsePositive("1234")).isEqualTo(1234);
        assertThat(ProcFs.parsePositive("12a")).isEqualTo(-1);
        assertThat(ProcFs.bracketedInode("socket:[123]".getBytes(StandardCharsets.US_ASCII), "socket:[".getBytes(StandardCharsets.US_ASCII))).isEqualTo(123);
    }
}
