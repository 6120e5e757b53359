package io.hostql.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Small helpers for benchmarks: medians, percentiles, timing child processes, /proc readings. */
final class Measure {
    private Measure() {}

    /**
     * bin/hostqld on the config, with its data, logs, pidfile and output (hostqld.out, appended) under root, as
     * the benchmarks run it: returns once the pidfile names it (hostqld writes it when it has started; a
     * killed one's stale pidfile does not count), or throws with its output.
     */
    static Process startHostqld(Path home, Path root, Path config, String... flags) throws IOException, InterruptedException {
        Process p = launchHostqld(home, root, config, flags);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!pidfileNames(root.resolve("pid"), p.pid())) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroy();
                throw new IllegalStateException("hostqld did not start: " + Files.readString(root.resolve("hostqld.out")));
            }
            Thread.sleep(50);
        }
        return p;
    }

    /** bin/hostqld as {@link #startHostqld} runs it, without waiting: the soak supervises the start itself. */
    static Process launchHostqld(Path home, Path root, Path config, String... flags) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(home.resolve("bin/hostqld").toString(), "--config_path", config.toString(),
                "--database_path", root.resolve("data").toString(), "--logger_path", root.resolve("logs").toString(),
                "--pidfile", root.resolve("pid").toString()));
        cmd.addAll(List.of(flags));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("hostqld.out").toFile())).start();
    }

    /** Whether the pidfile names this process: hostqld writes it once it has started. */
    static boolean pidfileNames(Path pidfile, long pid) {
        try {
            return Files.readString(pidfile).strip().equals(Long.toString(pid));
        } catch (IOException e) {
            return false; // not written yet
        }
    }

    /**
     * A list of rates from a system property, comma-separated: each above 0 (per second), or "max" (unpaced), which is 0.
     * Bad input is an error naming the property and the value.
     */
    static List<Double> rates(String property, String dflt) {
        List<Double> rates = new java.util.ArrayList<>();
        for (String r : System.getProperty(property, dflt).split(",")) {
            String v = r.strip();
            if (v.equals("max")) {
                rates.add(0.0);
                continue;
            }
            try {
                double d = Double.parseDouble(v);
                if (!(d > 0)) throw new NumberFormatException();
                rates.add(d);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(property + ": '" + v + "' is neither a rate above 0 (per second) nor max");
            }
        }
        return List.copyOf(rates);
    }

    /** A whole-number system property of at least min (dflt when unset); bad input is an error naming it. */
    static int atLeast(String name, int dflt, int min) {
        String v = System.getProperty(name);
        try {
            int n = v == null ? dflt : Integer.parseInt(v.strip());
            if (n < min) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number of at least " + min + ", not '" + v + "'");
        }
    }

    static double median(double[] v) {
        return percentile(v, 50);
    }

    static double percentile(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        if (s.length == 0) return Double.NaN;
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))];
    }

    /** Wall seconds of a command, stdout and stderr discarded; fails if it fails. */
    static double time(List<String> cmd) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) throw new IllegalStateException("timed out: " + cmd);
        double s = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) throw new IllegalStateException("failed (" + p.exitValue() + "): " + cmd);
        return s;
    }

    /** Peak RSS in MiB of a command, from GNU time. */
    static double peakRssMiB(List<String> cmd) throws IOException, InterruptedException {
        List<String> full = new java.util.ArrayList<>(List.of("/usr/bin/time", "-f", "%M"));
        full.addAll(cmd);
        Process p = new ProcessBuilder(full).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        String[] lines = err.split("\n");
        return Long.parseLong(lines[lines.length - 1].strip()) / 1024.0;
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.strip();
    }

    /** user+system CPU seconds of a process so far. */
    static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    /**
     * user+system CPU seconds of each thread of a process so far, summed by thread name with its
     * number left out ("GC Thread#1" and "GC Thread#0" are "GC Thread"); Linux keeps 15 characters of a name.
     */
    static java.util.Map<String, Double> threadCpuSeconds(long pid) throws IOException {
        java.util.Map<String, Double> out = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[#-]?\\d+$", "").strip();
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0, Double::sum);
            }
        }
        return out;
    }

    /** VmHWM (peak resident set) of a process, MiB. */
    static double peakRss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        }
        return Double.NaN;
    }

    /** Resets VmHWM to the current RSS (clear_refs 5, Linux 4.0+; root), so that a later {@link #peakRss} is the peak since now. */
    static void resetPeakRss(long pid) throws IOException {
        Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
    }

    /** The 1-minute load average now, for a section to say how quiet the machine was ("load average 0.4 on 2 CPUs"). */
    static String loadNote() {
        try {
            return "load average " + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0] + " on "
                    + Runtime.getRuntime().availableProcessors() + " CPUs at the end of the run";
        } catch (java.io.IOException e) {
            return "load average unknown";
        }
    }

    static String f(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
