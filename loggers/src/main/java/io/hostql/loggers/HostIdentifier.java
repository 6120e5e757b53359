package io.hostql.loggers;

import io.hostql.os.sysfs.SysFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The {@code hostIdentifier} of result lines, by osquery's {@code host_identifier} modes:
 * {@code hostname} (the kernel's hostname), {@code uuid} (the hardware UUID), {@code instance} (a
 * random UUID persisted in the data dir, stable across restarts), {@code ephemeral} (a random UUID
 * per process) and {@code specified} ({@code specified_identifier}).
 */
public final class HostIdentifier {
    public static final String INSTANCE_FILE = "instance_id";
    private static final String EPHEMERAL = UUID.randomUUID().toString();

    private HostIdentifier() {}

    public static String resolve(String mode, String specified, Path dataDir, Supplier<String> hardwareUuid) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "hostname" -> hostname();
            case "uuid" -> {
                String u = hardwareUuid.get();
                yield u == null || u.isEmpty() ? hostname() : u;
            }
            case "instance" -> instanceId(dataDir);
            case "ephemeral" -> EPHEMERAL;
            case "specified" -> {
                if (specified == null || specified.isBlank()) {
                    throw new IllegalArgumentException("host_identifier is 'specified' but --specified_identifier is empty");
                }
                yield specified;
            }
            default -> throw new IllegalArgumentException("host_identifier must be one of hostname, uuid, instance, ephemeral,"
                    + " specified; got '" + mode + "'");
        };
    }

    /** The kernel's hostname, as gethostname(2) gives it (no DNS lookup). */
    public static String hostname() {
        String h = SysFiles.sysctl("kernel/hostname");
        if (h != null) return h;
        h = System.getenv("HOSTNAME"); // not Linux, or no /proc
        return h == null ? "localhost" : h;
    }

    /** This data dir's instance UUID, made and saved on first use. */
    public static synchronized String instanceId(Path dataDir) {
        Path f = dataDir.resolve(INSTANCE_FILE);
        try {
            if (Files.exists(f)) {
                String id = Files.readString(f, StandardCharsets.UTF_8).strip();
                UUID.fromString(id);
                return id;
            }
        } catch (IOException | IllegalArgumentException e) {
            // unreadable or damaged: a new identity is better than none
        }
        String id = UUID.randomUUID().toString();
        try {
            Files.createDirectories(dataDir);
            Path tmp = Files.createTempFile(dataDir, INSTANCE_FILE, ".tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("cannot save the instance id in " + dataDir + ": " + e.getMessage(), e);
        }
        return id;
    }
}
