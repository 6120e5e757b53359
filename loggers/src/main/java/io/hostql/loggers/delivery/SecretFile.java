package io.hostql.loggers.delivery;

import io.hostql.config.SettingsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A secret (token, password, API key) named by a flag that holds a file path: secrets never sit on the
 * command line, where ps shows them. Errors name the flag and the file, never the content.
 */
public final class SecretFile {
    private SecretFile() {}

    /** The file's content without its trailing line break; an error when it cannot be read or is empty. */
    public static String read(String flag, String file) {
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new SettingsException(flag + ": cannot read the secret file " + file + ": " + e.getMessage());
        }
        String secret = text.strip();
        if (secret.isEmpty()) throw new SettingsException(flag + ": the secret file " + file + " is empty");
        if (secret.contains("\n") || secret.contains("\r")) throw new SettingsException(flag + ": the secret file " + file + " holds more than one line");
        return secret;
    }
}
