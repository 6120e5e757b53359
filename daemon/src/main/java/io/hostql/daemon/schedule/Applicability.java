package io.hostql.daemon.schedule;

import io.hostql.config.Version;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/** osquery's platform, version and shard filters for packs and queries (system.cpp, packs.cpp). */
final class Applicability {
    private Applicability() {}

    /** Substring rules: empty, "null", any/all, linux (and the distro names osquery treats as Linux), posix. */
    static boolean platform(String p) {
        if (p == null || p.isBlank() || p.equals("null")) return true;
        String s = p.toLowerCase(Locale.ROOT);
        return s.contains("any") || s.contains("all") || s.contains("linux") || s.contains("ubuntu") || s.contains("centos")
                || s.contains("posix");
    }

    /** Runs only on an osquery version at least this one (hostql follows {@link Version#OSQUERY_COMPATIBLE}). */
    static boolean version(String min) {
        if (min == null || min.isBlank()) return true;
        String[] have = Version.OSQUERY_COMPATIBLE.split("\\."), want = min.strip().split("[.\\-]");
        for (int i = 0; i < Math.max(have.length, want.length); i++) {
            long h = i < have.length ? number(have[i]) : 0, w = i < want.length ? number(want[i]) : 0;
            if (h != w) return h > w;
        }
        return true;
    }

    private static long number(String s) {
        String d = s.replaceAll("\\D.*$", "");
        return d.isEmpty() ? 0 : Long.parseLong(d.length() > 12 ? d.substring(0, 12) : d);
    }

    /** A shard of N runs on machines whose shard (SHA-1 of the hostname, first byte scaled to 0..100) is at most N. */
    static boolean shard(int shard, String hostname) {
        return shard <= 0 || shard >= machineShard(hostname);
    }

    static int machineShard(String hostname) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-1").digest(hostname.getBytes(StandardCharsets.UTF_8));
            return (h[0] & 0xff) * 100 / 255;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
