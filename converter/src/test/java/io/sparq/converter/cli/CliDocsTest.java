package io.sparq.converter.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import picocli.CommandLine;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.sparq.converter.cli.CliRun.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/cli.md quotes every command's help text as this version prints it. */
class CliDocsTest {
    @ParameterizedTest
    @ValueSource(strings = {"convert", "inspect", "verify", "run", "bench", "schedule", "sensitivity", "version"})
    void theReferenceQuotesTheCurrentHelp(String command) throws IOException {
        CliRun help = sparq("help", command);
        assertEquals(ExitCode.OK, help.exit(), help.err());
        Path doc = Path.of(System.getProperty("sparq.testmodels.dir")).resolve("../../docs/cli.md").normalize();
        String text = Files.readString(doc);
        String block = "## " + command + "\n\n```\n" + help.out().stripTrailing() + "\n```\n";
        assertTrue(text.contains(block), () -> "docs/cli.md: the help of '" + command
                + "' changed; replace its block with:\n" + block);
    }

    /** picocli wraps a footer line longer than the help width inside its tokens: examples must fit whole. */
    @ParameterizedTest
    @ValueSource(strings = {"convert", "inspect", "verify", "run", "bench", "schedule", "sensitivity", "version"})
    void examplesFitTheHelpWidthSoTheyPasteWhole(String command) {
        CommandLine.Model.CommandSpec spec = SparqCli.commandLine().getSubcommands().get(command).getCommandSpec();
        int width = spec.usageMessage().width();
        for (String line : spec.usageMessage().footer()) {
            assertTrue(line.length() <= width, () -> command + " example longer than " + width + " columns: " + line);
            assertTrue(line.isBlank() || line.startsWith("  sparq ") || line.startsWith("  SPARQ_") || line.startsWith("      "),
                    () -> command + " example is not a command or its continuation: " + line);
        }
    }

    @Test
    void pruningMdQuotesTheScheduleOutput() throws IOException {
        CliRun r = sparq("schedule", "--sparsity", "0.9", "--prune-steps", "1000", "--frequency", "100");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        Path doc = Path.of(System.getProperty("sparq.testmodels.dir")).resolve("../../docs/pruning.md").normalize();
        String block = "$ sparq schedule --sparsity 0.9 --prune-steps 1000 --frequency 100\n" + r.out();
        assertTrue(Files.readString(doc).contains(block), () -> "docs/pruning.md: replace the schedule output with:\n" + block);
    }
}
