package io.hostql.tables.network;

import static io.hostql.os.Libc.EACCES;
import static io.hostql.os.Libc.EAGAIN;
import static io.hostql.os.Libc.ENOENT;
import static io.hostql.os.Libc.EPERM;
import static io.hostql.os.Libc.IPPROTO_TCP;
import static io.hostql.os.Libc.IPPROTO_UDP;

import com.sun.jna.Native;
import io.hostql.os.Libc;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * iptables: the legacy (x_tables) IPv4 rules of every table in /proc/net/ip_tables_names, read from the kernel as
 * libiptc does: getsockopt(IPT_SO_GET_INFO, IPT_SO_GET_ENTRIES) on a raw socket (needs CAP_NET_ADMIN). One row per
 * rule, then one row per chain (its policy and policy counters). Rules made with nftables (iptables-nft) are not
 * x_tables rules and are not listed, as with osquery.
 */
public final class IptablesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("iptables", "Linux IP packet filtering and NAT tool.")
            .text("filter_name").text("chain").text("policy").text("target").integer("protocol").text("src_port")
            .text("dst_port").text("src_ip").text("src_mask").text("iniface").text("iniface_mask").text("dst_ip")
            .text("dst_mask").text("outiface").text("outiface_mask").text("match").integer("packets").integer("bytes")
            .build();

    private static final int IPT_SO_GET_INFO = 64, IPT_SO_GET_ENTRIES = 65;
    private static final int INFO_SIZE = 84, ENTRIES_HEADER = 40, ENTRY_SIZE = 112;
    private static final String[] HOOKS = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};
    private static final int INV_VIA_IN = 0x01, INV_VIA_OUT = 0x02, INV_SRCIP = 0x08, INV_DSTIP = 0x10, INV_PROTO = 0x40;

    private final Path namesFile;

    public IptablesTable() {
        this(Path.of("/proc/net/ip_tables_names"));
    }

    IptablesTable(Path namesFile) {
        this.namesFile = namesFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        List<String> names;
        try {
            names = Files.readAllLines(namesFile, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException | AccessDeniedException e) {
            return; // no x_tables in this kernel, or not root (osquery lists nothing either)
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + namesFile + ": " + e.getMessage(), e);
        }
        int fd = -1;
        try {
            for (String line : names) {
                String name = line.strip();
                if (name.isEmpty()) continue;
                if (fd < 0) {
                    fd = Libc.socket(Libc.AF_INET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.IPPROTO_RAW);
                    if (fd < 0) {
                        int errno = Native.getLastError();
                        if (errno == EPERM || errno == EACCES) return; // no CAP_NET_RAW
                        throw new IllegalStateException("iptables: raw socket: " + Libc.errorText(errno));
                    }
                }
                Snapshot s = read(fd, name);
                if (s != null) emit(name, s, rows);
            }
        } finally {
            if (fd >= 0) Libc.close(fd);
        }
    }

    /** A table's hook offsets and its entries blob, consistent with each other. */
    record Snapshot(int validHooks, int[] hookEntry, int[] underflow, ByteBuffer entries) {}

    private static Snapshot read(int fd, String table) {
        byte[] tableName = table.getBytes(StandardCharsets.US_ASCII);
        if (tableName.length >= 32) return null;
        for (int attempt = 0; attempt < 10; attempt++) {
            byte[] info = new byte[INFO_SIZE];
            System.arraycopy(tableName, 0, info, 0, tableName.length);
            int[] len = {INFO_SIZE};
            if (Libc.getsockopt(fd, Libc.SOL_IP, IPT_SO_GET_INFO, info, len) < 0) {
                int errno = Native.getLastError();
                if (errno == EPERM || errno == EACCES || errno == ENOENT) return null; // not allowed, or the table just went
                throw new IllegalStateException("iptables: IPT_SO_GET_INFO " + table + ": " + Libc.errorText(errno));
            }
            ByteBuffer ib = ByteBuffer.wrap(info).order(ByteOrder.nativeOrder());
            int validHooks = ib.getInt(32);
            int[] hookEntry = new int[5], underflow = new int[5];
            for (int h = 0; h < 5; h++) {
                hookEntry[h] = ib.getInt(36 + 4 * h);
                underflow[h] = ib.getInt(56 + 4 * h);
            }
            int size = ib.getInt(80);
            byte[] entries = new byte[ENTRIES_HEADER + size];
            System.arraycopy(tableName, 0, entries, 0, tableName.length);
            ByteBuffer eb = ByteBuffer.wrap(entries).order(ByteOrder.nativeOrder());
            eb.putInt(32, size);
            len[0] = entries.length;
            if (Libc.getsockopt(fd, Libc.SOL_IP, IPT_SO_GET_ENTRIES, entries, len) < 0) {
                int errno = Native.getLastError();
                if (errno == EAGAIN) continue; // the table changed between the two calls
                if (errno == ENOENT) return null;
                throw new IllegalStateException("iptables: IPT_SO_GET_ENTRIES " + table + ": " + Libc.errorText(errno));
            }
            ByteBuffer blob = ByteBuffer.wrap(entries, ENTRIES_HEADER, size).slice().order(ByteOrder.nativeOrder());
            return new Snapshot(validHooks, hookEntry, underflow, blob);
        }
        throw new IllegalStateException("iptables: table " + table + " kept changing while being read");
    }

    /** One chain as libiptc presents it: name, policy entry (built-in chains), rule entry offsets. */
    private record Chain(String name, Integer policyOffset, List<Integer> rules) {}

    private static void emit(String table, Snapshot s, RowSink rows) {
        ByteBuffer b = s.entries();
        int size = b.capacity();
        List<Integer> offsets = new ArrayList<>();
        for (int off = 0; off + ENTRY_SIZE <= size; ) {
            int next = b.getShort(off + 90) & 0xffff;
            if (next < ENTRY_SIZE || off + next > size) {
                throw new IllegalStateException("iptables: table " + table + ": bad entry at offset " + off);
            }
            offsets.add(off);
            off += next;
        }
        List<Chain> builtin = new ArrayList<>(), user = new ArrayList<>();
        Map<Integer, String> jumpTargets = new HashMap<>(); // first entry of a user chain -> its name
        Chain current = null;
        for (int i = 0; i < offsets.size(); i++) {
            int off = offsets.get(i);
            int hook = hookAt(s, off);
            if (hook >= 0) {
                current = new Chain(HOOKS[hook], s.underflow()[hook], new ArrayList<>());
                builtin.add(current);
            }
            String target = targetName(b, off);
            if (target.equals("ERROR")) {
                String chain = cString(b, off + b.getShort(off + 88) + 32, 30);
                if (chain.equals("ERROR")) break; // the table's end marker
                current = new Chain(chain, null, new ArrayList<>());
                user.add(current);
                if (i + 1 < offsets.size()) jumpTargets.put(offsets.get(i + 1), chain);
                continue;
            }
            if (current == null) continue;
            if (current.policyOffset() != null) {
                if (off == current.policyOffset()) {
                    current = null; // the policy entry closes a built-in chain
                    continue;
                }
            } else if (i + 1 < offsets.size() && targetName(b, offsets.get(i + 1)).equals("ERROR")) {
                continue; // the RETURN that closes a user chain is not a rule
            }
            current.rules().add(off);
        }
        user.sort((x, y) -> x.name().compareTo(y.name()));
        List<Chain> chains = new ArrayList<>(builtin);
        chains.addAll(user);
        for (Chain c : chains) {
            String policy = "";
            long policyPackets = 0, policyBytes = 0;
            if (c.policyOffset() != null) {
                policy = verdict(b, c.policyOffset(), jumpTargets);
                policyPackets = b.getLong(c.policyOffset() + 96);
                policyBytes = b.getLong(c.policyOffset() + 104);
            }
            for (int off : c.rules()) {
                RowSink.Row r = rows.add().set("filter_name", table).set("chain", c.name()).set("policy", policy);
                rule(b, off, jumpTargets, r);
            }
            rows.add().set("filter_name", table).set("chain", c.name()).set("policy", policy)
                    .set("packets", policyPackets).set("bytes", policyBytes);
        }
    }

    private static int hookAt(Snapshot s, int off) {
        for (int h = 0; h < 5; h++) if ((s.validHooks() & (1 << h)) != 0 && s.hookEntry()[h] == off) return h;
        return -1;
    }

    private static void rule(ByteBuffer b, int off, Map<Integer, String> jumpTargets, RowSink.Row r) {
        int inv = b.get(off + 83) & 0xff;
        int proto = b.getShort(off + 80) & 0xffff;
        int targetOffset = b.getShort(off + 88) & 0xffff;
        r.set("target", verdict(b, off, jumpTargets));
        r.set("protocol", (inv & INV_PROTO) != 0 ? (Object) ("!" + proto) : (Object) (long) proto);
        String sport = "", dport = "";
        for (int m = off + ENTRY_SIZE; m + 32 <= off + targetOffset; ) {
            int msize = b.getShort(m) & 0xffff;
            if (msize < 32) break;
            String mname = cString(b, m + 2, 29);
            if ((proto == IPPROTO_TCP && mname.equals("tcp")) || (proto == IPPROTO_UDP && mname.equals("udp"))) {
                int d = m + 32;
                int minv = b.get(d + (proto == IPPROTO_TCP ? 11 : 8)) & 0xff;
                sport = ((minv & 0x1) != 0 ? "!" : "") + (b.getShort(d) & 0xffff) + ":" + (b.getShort(d + 2) & 0xffff);
                dport = ((minv & 0x2) != 0 ? "!" : "") + (b.getShort(d + 4) & 0xffff) + ":" + (b.getShort(d + 6) & 0xffff);
                break;
            }
            m += msize;
        }
        r.set("src_port", sport).set("dst_port", dport);
        r.set("src_ip", ((inv & INV_SRCIP) != 0 ? "!" : "") + ip(b, off));
        r.set("src_mask", ip(b, off + 8));
        r.set("dst_ip", ((inv & INV_DSTIP) != 0 ? "!" : "") + ip(b, off + 4));
        r.set("dst_mask", ip(b, off + 12));
        r.set("iniface", iface(b, off + 16, (inv & INV_VIA_IN) != 0));
        r.set("iniface_mask", hexMask(b, off + 48));
        r.set("outiface", iface(b, off + 32, (inv & INV_VIA_OUT) != 0));
        r.set("outiface_mask", hexMask(b, off + 64));
        r.set("match", targetOffset > ENTRY_SIZE ? "yes" : "no");
        r.set("packets", b.getLong(off + 96)).set("bytes", b.getLong(off + 104));
    }

    private static String targetName(ByteBuffer b, int off) {
        return cString(b, off + (b.getShort(off + 88) & 0xffff) + 2, 29);
    }

    /** iptc_get_target: a module target's name, a standard verdict's name, or the user chain jumped to ("" falls through). */
    private static String verdict(ByteBuffer b, int off, Map<Integer, String> jumpTargets) {
        String name = targetName(b, off);
        if (!name.isEmpty()) return name;
        int v = b.getInt(off + (b.getShort(off + 88) & 0xffff) + 32);
        switch (v) {
            case -1: return "DROP";
            case -2: return "ACCEPT";
            case -4: return "QUEUE";
            case -5: return "RETURN";
            default:
                if (v < 0) return "";
                if (v == off + (b.getShort(off + 90) & 0xffff)) return ""; // fall through to the next rule
                return jumpTargets.getOrDefault(v, "");
        }
    }

    private static String ip(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) + "." + (b.get(at + 1) & 0xff) + "." + (b.get(at + 2) & 0xff) + "." + (b.get(at + 3) & 0xff);
    }

    private static String iface(ByteBuffer b, int at, boolean inverted) {
        String name = cString(b, at, 16);
        return name.isEmpty() ? "all" : (inverted ? "!" : "") + name;
    }

    /** The mask bytes up to the first zero, as upper-case hex (osquery's format: "FFFF00" for "eth+"). */
    private static String hexMask(ByteBuffer b, int at) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            int v = b.get(at + i) & 0xff;
            if (v == 0) break;
            sb.append(Character.toUpperCase(Character.forDigit(v >> 4, 16))).append(Character.toUpperCase(Character.forDigit(v & 0xf, 16)));
        }
        return sb.toString();
    }

    private static String cString(ByteBuffer b, int at, int max) {
        int n = 0;
        while (n < max && at + n < b.capacity() && b.get(at + n) != 0) n++;
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) out[i] = b.get(at + i);
        return new String(out, StandardCharsets.UTF_8);
    }
}
