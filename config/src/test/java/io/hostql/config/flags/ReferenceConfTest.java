package io.hostql.config.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** reference.conf is rendered from the declarations; this fails when the file in the repository differs, and can rewrite it. */
class ReferenceConfTest {
    private static final Path SOURCE = Path.of("src/main/resources/io/hostql/config/reference.conf");

    @Test
    void theCheckedInFileIsTheRenderingOfTheDeclarations() throws Exception {
        String rendered = ReferenceConf.render();
        if (Boolean.getBoolean("hostql.writeReferenceConf")) Files.writeString(SOURCE, rendered, StandardCharsets.UTF_8);
        String inRepository = Files.readString(SOURCE, StandardCharsets.UTF_8);
        if (inRepository.equals(rendered)) return;
        List<String> have = inRepository.lines().toList(), want = rendered.lines().toList();
        int line = 0;
        while (line < Math.min(have.size(), want.size()) && have.get(line).equals(want.get(line))) line++;
        fail("%s differs from the declarations in io.hostql.config.flags at line %d:%n  file:         %s%n  declarations: %s%n"
                + "Declare a flag in its *Flags class, never in the file; then regenerate the file with%n"
                + "  ./mvnw -B -o -ntp -pl config verify -Dtest=ReferenceConfTest -Dhostql.writeReferenceConf=true",
                SOURCE, line + 1, line < have.size() ? have.get(line) : "(end)", line < want.size() ? want.get(line) : "(end)");
    }

    @Test
    void itIsHoconWhoseDefaultsAreTheDeclaredOnes() {
        Config c = ConfigFactory.parseString(ReferenceConf.render()).getConfig("hostql");
        assertThat(c.root().keySet()).hasSize(AllFlags.count());
        for (Setting<?> s : AllFlags.all()) {
            assertThat(String.valueOf(c.getValue(s.name()).unwrapped())).as(s.name()).isEqualTo(String.valueOf(s.defaultValue()));
        }
    }
}
