package io.hostql.remote.carve;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.remote.InProcessManager;
import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.table.TableRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The carves table and the carver on the real SQL engine, uploading to the in-process manager (see InProcessManager). */
class CarvesTest {
    private static final int BLOCK = 1000;
    private static final String LONG_NAME = "n".repeat(150) + ".txt";
    @TempDir Path dir;
    private final InProcessManager manager = new InProcessManager();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private Carves carves(boolean enabled, boolean compression) {
        return new Carves(new Carves.Options(enabled, InProcessManager.CARVE_BEGIN, InProcessManager.CARVE_BLOCK, BLOCK, compression,
                86400, 1), manager, executor, dir.resolve("data"));
    }

    /** Two files: one of several blocks, and one whose name is too long for ustar (a pax header carries it). */
    private Path twoFiles() throws Exception {
        Path files = Files.createDirectories(dir.resolve("files"));
        byte[] big = new byte[BLOCK * 7 + 123];
        new Random(1).nextBytes(big);
        Files.write(files.resolve("big.bin"), big);
        Path deep = Files.createDirectories(files.resolve("d".repeat(120)));
        Files.writeString(deep.resolve(LONG_NAME), "carved\n");
        return files;
    }

    private static String waitFor(Database db, String guid) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            String status = (String) db.query("SELECT status FROM carves WHERE carve_guid = ?", guid).rows().get(0)[0];
            if (status.equals("SUCCESS") || status.equals("FAILED")) return status;
            Thread.sleep(20);
        }
        throw new AssertionError("carve " + guid + " did not end");
    }

    @Test
    void aCarveOfTwoFilesUploadsAZstdTarWhoseContentsAreTheFiles() throws Exception {
        Path files = twoFiles();
        Path deepFile = files.resolve("d".repeat(120)).resolve(LONG_NAME);
        Carves carves = carves(true, true);
        try (Database db = Database.open(new TableRegistry().add(new CarvesTable(() -> carves)))) {
            QueryResult r = db.query("SELECT carve_guid, status, carve, path, request_id FROM carves WHERE path LIKE ? AND carve = 1",
                    files + "/%%");
            assertThat(r.rows()).hasSize(1);
            Object[] row = r.rows().get(0);
            String guid = (String) row[0];
            assertThat(row[1]).isIn("STARTING", "PENDING", "SUCCESS"); // collection runs in the background
            assertThat(row[2]).isEqualTo(1L);
            assertThat(row[3]).isEqualTo(files.resolve("big.bin") + "," + deepFile); // osquery's: the carved paths, joined
            assertThat(row[4]).isEqualTo("");
            assertThat(waitFor(db, guid)).isEqualTo("SUCCESS");

            byte[] uploaded = manager.carve(guid);
            assertThat(HexFormat.of().formatHex(uploaded, 0, 4)).isEqualTo("28b52ffd");
            InProcessManager.Session s = manager.sessions().values().iterator().next();
            assertThat(s.start().path("block_size").asLong()).isEqualTo(BLOCK);
            assertThat(s.start().path("carve_size").asLong()).isEqualTo(uploaded.length);
            assertThat(s.start().path("block_count").asLong()).isEqualTo((uploaded.length + BLOCK - 1) / BLOCK);
            assertThat(s.blocks()).hasSize((int) s.start().path("block_count").asLong());
            Object[] done = db.query("SELECT sha256, size, status, carve FROM carves WHERE carve_guid = ?", guid).rows().get(0);
            assertThat(done).containsExactly(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(uploaded)),
                    (long) uploaded.length, "SUCCESS", 0L);

            // GNU tar reads the archive back: the files, byte for byte, under their paths.
            Path out = InProcessManager.unpackZstdTar(uploaded, dir.resolve("out"));
            for (Path f : List.of(files.resolve("big.bin"), deepFile)) {
                assertThat(out.resolve(f.toString().substring(1))).hasSameBinaryContentAs(f);
            }
        }
        assertThat(Files.list(dir.resolve("data/carves"))).as("the archive is removed once uploaded").isEmpty();
    }

    @Test
    void anUncompressedCarveIsAPlainTarAndSurvivesARestartInTheListing() throws Exception {
        Path files = twoFiles();
        Carves carves = carves(true, false);
        String guid;
        try (Database db = Database.open(new TableRegistry().add(new CarvesTable(() -> carves)))) {
            guid = (String) db.query("SELECT carve_guid FROM carves WHERE path = ? AND carve = 1", files.resolve("big.bin").toString())
                    .rows().get(0)[0];
            assertThat(waitFor(db, guid)).isEqualTo("SUCCESS");
        }
        byte[] uploaded = manager.carve(guid);
        assertThat(new String(uploaded, 257, 5)).isEqualTo("ustar");
        assertThat(uploaded.length % 10240).isZero();
        Carves again = carves(true, false);
        assertThat(again.list()).singleElement().satisfies(c -> {
            assertThat(c.guid()).isEqualTo(guid);
            assertThat(c.status()).isEqualTo(Carves.Status.SUCCESS);
        });
    }

    @Test
    void withCarvingDisabledARequestStartsNothing() throws Exception {
        Path files = twoFiles();
        Carves carves = carves(false, false);
        try (Database db = Database.open(new TableRegistry().add(new CarvesTable(() -> carves)))) {
            assertThat(db.query("SELECT * FROM carves WHERE path LIKE ? AND carve = 1", files + "/%").rows()).isEmpty();
            assertThat(db.query("SELECT * FROM carves").rows()).isEmpty();
        }
        assertThat(manager.sessions()).isEmpty();
    }

    @Test
    void aCarveWhoseStartIsRefusedIsFailed() throws Exception {
        Path files = twoFiles();
        Carves carves = new Carves(new Carves.Options(true, "/no/such/endpoint", InProcessManager.CARVE_BLOCK, BLOCK, false, 86400, 1),
                manager, executor, dir.resolve("data"));
        try (Database db = Database.open(new TableRegistry().add(new CarvesTable(() -> carves)))) {
            String guid = (String) db.query("SELECT carve_guid FROM carves WHERE path LIKE ? AND carve = 1", files + "/%").rows().get(0)[0];
            assertThat(waitFor(db, guid)).isEqualTo("FAILED");
        }
    }
}
