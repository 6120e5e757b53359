package io.hostql.tables.packages;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fixture-only: Debian has no Portage, so these trees are written in Gentoo's documented formats
 * (/var/db/pkg/CATEGORY/PF/{SLOT,SIZE,EAPI,BUILD_TIME,repository,USE}, /var/lib/portage/world,
 * /etc/portage/package.{keywords,mask,unmask}) and the expected rows follow osquery's portage.cpp.
 */
class PortageTablesTest {
    private static void pkg(Path root, String atom, String slot, String use) throws Exception {
        Path d = root.resolve("var/db/pkg/" + atom);
        write(d.resolve("SLOT"), slot + "\n");
        write(d.resolve("SIZE"), "123456\n");
        write(d.resolve("EAPI"), "8\n");
        write(d.resolve("BUILD_TIME"), "1700000000\n");
        write(d.resolve("repository"), "gentoo\n");
        if (use != null) write(d.resolve("USE"), use + "\n");
    }

    @Test
    void packagesWithWorldSlotAndUseFlags(@TempDir Path root) throws Exception {
        pkg(root, "app-editors/vim-9.1.0", "0", "acl nls -X");
        pkg(root, "sys-libs/glibc-2.39-r6", "2.2", null);
        pkg(root, "dev-lang/python-3.12.3-r1", "3.12", "ssl");
        write(root.resolve("var/lib/portage/world"), "# the world set\napp-editors/vim\n>=dev-lang/python-3.12\n");

        List<Map<String, Object>> pkgs = generate(new PortagePackagesTable(root));
        assertThat(pkgs).extracting(r -> r.get("package") + " " + r.get("version") + " " + r.get("slot") + " " + r.get("world"))
                .containsExactly("app-editors/vim 9.1.0 0 1", "dev-lang/python 3.12.3-r1 3.12 1", "sys-libs/glibc 2.39-r6 2.2 0");
        assertThat(pkgs.get(0)).containsEntry("size", 123456L).containsEntry("eapi", 8L)
                .containsEntry("build_time", 1_700_000_000L).containsEntry("repository", "gentoo");

        assertThat(generate(new PortageUseTable(root))).extracting(r -> r.get("package") + " " + r.get("version") + " " + r.get("use"))
                .containsExactly("app-editors/vim 9.1.0 acl", "app-editors/vim 9.1.0 nls", "app-editors/vim 9.1.0 -X",
                        "dev-lang/python 3.12.3-r1 ssl");
    }

    @Test
    void noWorldFileMeansNoPackagesAsInOsquery(@TempDir Path root) throws Exception {
        pkg(root, "app-editors/vim-9.1.0", "0", "acl");
        assertThat(generate(new PortagePackagesTable(root))).isEmpty();
        assertThat(generate(new PortageUseTable(root))).hasSize(1);
    }

    @Test
    void keywordsMaskAndUnmaskMergePerAtom(@TempDir Path root) throws Exception {
        write(root.resolve("etc/portage/package.keywords"),
                "# testing\n=dev-lang/rust-1.80.0 ~amd64 ~arm64\napp-misc/foo # not kept: a comment as keyword\nsys-apps/bar ~amd64\n");
        write(root.resolve("etc/portage/package.mask"), ">=sys-apps/bar-2.0\nsys-apps/bar ~x\n");
        Files.createDirectories(root.resolve("etc/portage/package.unmask"));
        write(root.resolve("etc/portage/package.unmask/local"), "=dev-lang/rust-1.80.0\n");

        List<Map<String, Object>> out = generate(new PortageKeywordsTable(root));
        assertThat(out).extracting(r -> r.get("package") + "|" + r.get("version") + "|" + r.get("keyword") + "|" + r.get("mask") + "|" + r.get("unmask"))
                .containsExactly("dev-lang/rust|1.80.0|~amd64|0|1", "sys-apps/bar||~amd64|1|0", "sys-apps/bar|>=2.0||1|0");
    }

    @Test
    void atomSplitAsOsquery() {
        assertThat(Portage.splitAtom("app-editors/vim-9.1.0")).containsExactly("app-editors/vim", "9.1.0");
        assertThat(Portage.splitAtom("sys-libs/glibc-2.39-r6")).containsExactly("sys-libs/glibc", "2.39-r6");
        assertThat(Portage.splitAtom("<=dev-libs/openssl-3.0")).containsExactly("dev-libs/openssl", "<=3.0");
        assertThat(Portage.splitAtom("=x11-libs/gtk+-3.24.41")).containsExactly("x11-libs/gtk+", "3.24.41");
        assertThat(Portage.splitAtom("dev-util/cmake")).containsExactly("dev-util/cmake", "");
        assertThat(Portage.splitAtom("media-libs/libsdl2-2")).containsExactly("media-libs/libsdl2", "2");
    }

    @Test
    void absentOnThisHostIsEmptyNotAnError() {
        if (!Files.exists(Path.of("/var/lib/portage/world"))) assertThat(rows("SELECT * FROM portage_packages")).isEmpty();
        if (!Files.exists(Path.of("/var/db/pkg"))) assertThat(rows("SELECT * FROM portage_use")).isEmpty();
        if (!Files.exists(Path.of("/etc/portage"))) assertThat(rows("SELECT * FROM portage_keywords")).isEmpty();
    }
}
