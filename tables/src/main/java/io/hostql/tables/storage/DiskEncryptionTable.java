package io.hostql.tables.storage;

import static io.hostql.sql.table.ColumnType.TEXT;
import static io.hostql.sql.table.ColumnOption.INDEX;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * disk_encryption: every block device, encrypted=1 for an active dm-crypt mapping (its dm/uuid starts
 * with CRYPT-) and for devices stacked on one (LVM on LUKS), as osquery reports them. type is
 * "&lt;LUKS1|LUKS2|PLAIN...&gt;-&lt;cipher&gt;-&lt;mode&gt;" like libcryptsetup's; the cipher is read from the LUKS
 * header of the backing device (root only), and is absent for plain dm-crypt, which keeps it only in the
 * kernel's table.
 */
public final class DiskEncryptionTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("disk_encryption", "Disk encryption status and information.")
            .text("name", INDEX).text("uuid").integer("encrypted").text("type").text("encryption_status")
            .otherPlatform("darwin", TEXT, "uid", "user_uuid", "filevault_status")
            .build();

    /** dm-crypt mapping types cryptsetup writes into the dm uuid that are encryption (not VERITY/INTEGRITY). */
    private static final Set<String> CRYPT_TYPES = Set.of("LUKS1", "LUKS2", "LUKS", "PLAIN", "LOOPAES", "TCRYPT", "BITLK", "FVAULT2");
    /** Built on first use: an ObjectMapper costs every shell start-up otherwise. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private final BlockDevicesTable blockDevices;

    public DiskEncryptionTable() {
        this(new BlockDevicesTable());
    }

    DiskEncryptionTable(BlockDevicesTable blockDevices) {
        this.blockDevices = blockDevices;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        BlockDevices devices = blockDevices.scan();
        boolean uuid = ctx.isUsed("uuid");
        Map<String, String> types = new HashMap<>(); // kernel name -> type, or "" for not encrypted
        for (BlockDevices.Device d : devices.select(ctx.equalsText("name"))) {
            devices.resolve(d, uuid);
            String type = encryption(devices, d, types, 0);
            RowSink.Row r = rows.add().set("name", d.name).set("uuid", d.probe == null ? null : d.probe.uuid());
            if (type == null) {
                r.set("encrypted", 0L).set("encryption_status", "not encrypted");
            } else {
                r.set("encrypted", 1L).set("encryption_status", "encrypted").set("type", type.isEmpty() ? null : type);
            }
        }
    }

    /** The encryption type of d, "" when encrypted but of unknown type, null when not encrypted. */
    private String encryption(BlockDevices devices, BlockDevices.Device d, Map<String, String> memo, int depth) {
        if (memo.containsKey(d.kernel)) return memo.get(d.kernel);
        String type = null;
        String dmUuid = SysFiles.read(d.sys.resolve("dm/uuid"));
        String ctype = cryptType(dmUuid);
        if (ctype != null) {
            type = ctype;
            if (ctype.startsWith("LUKS")) {
                BlockDevices.Device backing = devices.parent(d);
                String cipher = backing == null ? null : luksCipher(backing.node);
                if (cipher != null) type = ctype + "-" + cipher;
            }
        } else if (depth < 16) {
            BlockDevices.Device parent = devices.parent(d);
            if (parent != null) type = encryption(devices, parent, memo, depth + 1); // inherits, as osquery does
        }
        memo.put(d.kernel, type);
        return type;
    }

    /** "LUKS2" from "CRYPT-LUKS2-&lt;uuid&gt;-&lt;name&gt;"; null for other device-mapper targets. */
    static String cryptType(String dmUuid) {
        if (dmUuid == null || !dmUuid.startsWith("CRYPT-")) return null;
        int end = dmUuid.indexOf('-', 6);
        String t = end < 0 ? dmUuid.substring(6) : dmUuid.substring(6, end);
        return CRYPT_TYPES.contains(t) ? t : null;
    }

    /** "aes-xts-plain64" from a LUKS1 or LUKS2 header; null when unreadable or not LUKS. */
    static String luksCipher(Path device) {
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(4096);
            while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
                // keep reading until the header is in
            }
            byte[] h = head.array();
            if (head.position() < 512 || h[0] != 'L' || h[1] != 'U' || h[2] != 'K' || h[3] != 'S'
                    || (h[4] & 0xff) != 0xba || (h[5] & 0xff) != 0xbe) return null;
            int version = Superblocks.u16be(h, 6);
            if (version == 1) {
                String name = Superblocks.cstr(h, 8, 32), mode = Superblocks.cstr(h, 40, 32);
                return name == null ? null : mode == null ? name : name + "-" + mode;
            }
            if (version != 2) return null;
            long hdrSize = Superblocks.u64be(h, 8);
            if (hdrSize <= 4096 || hdrSize > (4L << 20)) return null;
            ByteBuffer json = ByteBuffer.allocate((int) (hdrSize - 4096));
            while (json.hasRemaining() && ch.read(json, 4096 + json.position()) > 0) {
                // read the JSON area
            }
            int len = 0;
            byte[] j = json.array();
            while (len < json.position() && j[len] != 0) len++;
            JsonNode segments = Json.MAPPER.readTree(new String(j, 0, len, StandardCharsets.UTF_8)).path("segments");
            for (JsonNode seg : segments) {
                if ("crypt".equals(seg.path("type").asText()) && seg.hasNonNull("encryption")) return seg.get("encryption").asText();
            }
            return null;
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return null;
        }
    }
}
