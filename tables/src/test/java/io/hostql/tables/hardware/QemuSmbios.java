package io.hostql.tables.hardware;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * SMBIOS tables made by a real generator: QEMU builds them for the machine it would boot (from its
 * -smbios options) and hands them to the firmware through fw_cfg. Started with -qtest and a stopped
 * CPU, QEMU runs no guest but answers port I/O commands on stdin: select a fw_cfg item on port 0x510, read its bytes
 * from 0x511. The fw_cfg directory (item 0x19) names etc/smbios/smbios-anchor (the entry point) and
 * etc/smbios/smbios-tables (the structures, what /sys/firmware/dmi/tables/DMI holds on real hardware).
 */
final class QemuSmbios {
    record Blob(byte[] anchor, byte[] tables) {}

    private QemuSmbios() {}

    static Blob generate(String... smbiosOptions) throws IOException, InterruptedException {
        // -S: the virtual CPU stays stopped. Running, it would boot SeaBIOS, which reads fw_cfg itself and moves the
        // selected item under the test's reads (bytes came back as zeros).
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-machine", "pc", "-S", "-qtest", "stdio", "-display", "none",
                "-nodefaults", "-m", "128"));
        for (String o : smbiosOptions) {
            cmd.add("-smbios");
            cmd.add(o);
        }
        Process qemu = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = qemu.getOutputStream();
                BufferedReader out = new BufferedReader(new InputStreamReader(qemu.getInputStream(), StandardCharsets.US_ASCII))) {
            Port port = new Port(in, out);
            byte[] count = port.read(0x19, 4);
            int n = ((count[0] & 0xff) << 24) | ((count[1] & 0xff) << 16) | ((count[2] & 0xff) << 8) | (count[3] & 0xff);
            byte[] dir = port.read(-1, n * 64); // the directory continues where its count ended
            byte[] anchor = null, tables = null;
            for (int i = 0; i < n; i++) {
                int o = i * 64;
                int size = ((dir[o] & 0xff) << 24) | ((dir[o + 1] & 0xff) << 16) | ((dir[o + 2] & 0xff) << 8) | (dir[o + 3] & 0xff);
                int select = ((dir[o + 4] & 0xff) << 8) | (dir[o + 5] & 0xff);
                int end = o + 8;
                while (end < o + 64 && dir[end] != 0) end++;
                String name = new String(dir, o + 8, end - o - 8, StandardCharsets.US_ASCII);
                if (name.equals("etc/smbios/smbios-anchor")) anchor = port.read(select, size);
                if (name.equals("etc/smbios/smbios-tables")) tables = port.read(select, size);
            }
            if (anchor == null || tables == null) throw new IOException("QEMU's fw_cfg has no SMBIOS files");
            return new Blob(anchor, tables);
        } finally {
            qemu.destroyForcibly(); // qtest does not end at EOF
            qemu.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** fw_cfg over qtest: commands are written in one batch, then one answer line read per command. */
    private record Port(OutputStream in, BufferedReader out) {
        byte[] read(int select, int size) throws IOException {
            StringBuilder batch = new StringBuilder();
            if (select >= 0) batch.append("outw 0x510 0x").append(Integer.toHexString(select)).append('\n');
            batch.append("inb 0x511\n".repeat(size));
            in.write(batch.toString().getBytes(StandardCharsets.US_ASCII));
            in.flush();
            if (select >= 0) answer();
            byte[] b = new byte[size];
            for (int i = 0; i < size; i++) {
                String a = answer();
                b[i] = (byte) Integer.parseInt(a.substring(a.indexOf("0x") + 2), 16);
            }
            return b;
        }

        private String answer() throws IOException {
            while (true) {
                String line = out.readLine();
                if (line == null) throw new IOException("QEMU ended");
                if (line.startsWith("OK")) return line;
                if (line.startsWith("FAIL") || line.startsWith("ERR")) throw new IOException("qtest: " + line);
            }
        }
    }
}
