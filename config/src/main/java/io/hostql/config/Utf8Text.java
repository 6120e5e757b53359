package io.hostql.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a config, pack or flag file as UTF-8. Bytes that are not UTF-8 are refused with their byte
 * offset and line, rather than the JDK's "Input length = 1", so the user can find them (a Latin-1
 * é in a comment is the usual culprit).
 */
public final class Utf8Text {
    private Utf8Text() {}

    /** The file's text; an IOException's message names the problem (the caller names the file). */
    public static String read(Path file) throws IOException {
        return decode(Files.readAllBytes(file));
    }

    /** The bytes as text, or a {@link NotUtf8Exception} naming the first bad byte's offset and line. */
    public static String decode(byte[] bytes) throws NotUtf8Exception {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = d.decode(in, out, true);
        if (r.isUnderflow()) r = d.flush(out);
        if (r.isError()) {
            int offset = in.position();
            int line = 1;
            for (int i = 0; i < offset; i++) if (bytes[i] == '\n') line++;
            StringBuilder bad = new StringBuilder();
            for (int i = offset; i < Math.min(bytes.length, offset + r.length()); i++) {
                bad.append(bad.length() == 0 ? "" : " ").append(String.format("0x%02x", bytes[i] & 0xff));
            }
            throw new NotUtf8Exception(offset, line, "not UTF-8 text: " + (r.isMalformed() ? "invalid byte " : "unmappable byte ")
                    + bad + " at byte offset " + offset + " (line " + line + ")");
        }
        out.flip();
        return out.toString();
    }

    /** Bytes that are not UTF-8: where, by byte offset and line. */
    public static final class NotUtf8Exception extends CharacterCodingException {
        private final long offset;
        private final int line;
        private final String message;

        NotUtf8Exception(long offset, int line, String message) {
            this.offset = offset;
            this.line = line;
            this.message = message;
        }

        public long offset() {
            return offset;
        }

        public int line() {
            return line;
        }

        @Override
        public String getMessage() {
            return message;
        }
    }
}
