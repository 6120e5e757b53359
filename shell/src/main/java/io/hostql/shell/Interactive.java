package io.hostql.shell;

import io.hostql.sql.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/** The interactive prompt: JLine with persistent history, completion of names, and multi-line statements. */
final class Interactive {
    private static final String PROMPT = "hostql> ", CONTINUE = "    ...> ";
    static final String EXIT_HINT = "(To exit, press Ctrl-C again or Ctrl-D, or type .exit)";
    private static final String[] KEYWORDS = {"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "JOIN", "LEFT", "ON",
            "USING", "GROUP", "BY", "ORDER", "HAVING", "LIMIT", "OFFSET", "AS", "IN", "LIKE", "GLOB", "IS", "NULL",
            "DISTINCT", "COUNT", "UNION", "ALL", "WITH", "CASE", "WHEN", "THEN", "ELSE", "END", "PRAGMA", "table_info"};
    private static final String[] DOT = {".all", ".bail", ".echo", ".exit", ".features", ".headers", ".help", ".mode",
            ".nullvalue", ".print", ".quit", ".schema", ".separator", ".show", ".summary", ".tables", ".timer", ".version"};

    private final Shell shell;

    Interactive(Shell shell) {
        this.shell = shell;
    }

    int loop() throws IOException {
        List<String> words = new ArrayList<>(shell.names());
        words.addAll(List.of(KEYWORDS));
        words.addAll(List.of(DOT));
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReaderBuilder b = LineReaderBuilder.builder().terminal(terminal).appName("hostqli")
                    .completer(new StringsCompleter(words))
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .variable(LineReader.HISTORY_SIZE, 1000);
            Path history = historyFile();
            if (history != null) b.variable(LineReader.HISTORY_FILE, history);
            LineReader reader = b.build();
            // Ctrl-C while a statement runs cancels it (JLine puts its own handler in place while reading a line).
            terminal.handle(Terminal.Signal.INT, signal -> shell.interrupt());
            terminal.writer().println("Using a virtual database. Need help, type '.help'");
            StringBuilder sql = new StringBuilder();
            boolean exitArmed = false; // the last thing typed was Ctrl-C at an empty prompt
            while (true) {
                String line;
                try {
                    line = reader.readLine(sql.length() == 0 ? PROMPT : CONTINUE);
                } catch (UserInterruptException e) {
                    // Ctrl-C drops what was typed; at an empty prompt it says how to exit, and a second one exits.
                    boolean empty = sql.length() == 0 && e.getPartialLine().isEmpty();
                    sql.setLength(0);
                    if (empty && exitArmed) return 0;
                    if (empty) terminal.writer().println(EXIT_HINT);
                    terminal.writer().flush();
                    exitArmed = empty;
                    continue;
                } catch (EndOfFileException e) {
                    return 0;
                }
                exitArmed = false;
                if (sql.length() == 0 && line.strip().startsWith(".")) {
                    shell.execute(line);
                    continue;
                }
                sql.append(line).append('\n');
                if (sql.toString().isBlank()) {
                    sql.setLength(0);
                } else if (Database.isComplete(sql.toString())) {
                    shell.execute(sql.toString());
                    sql.setLength(0);
                }
            }
        }
    }

    /** ~/.hostql/history, as osqueryi keeps ~/.osquery/.history; none if the home is not writable. */
    private Path historyFile() {
        try {
            Path dir = Path.of(System.getProperty("user.home"), ".hostql");
            Files.createDirectories(dir);
            return Files.isWritable(dir) ? dir.resolve("history") : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
