package io.sparq.converter.cli;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;

/** The {@code sparq} command: converts, inspects and runs recurrent models. */
@Command(name = "sparq",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT,   // -h/--help (and -V) on every subcommand too
        versionProvider = VersionCommand.Provider.class,
        header = "Sparse + quantized recurrent networks for the JVM.",
        description = "Imports dense ONNX LSTM/GRU/RNN models, prunes, fine-tunes and quantizes them into .sparq files, inspects, verifies, runs and times them.",
        subcommands = {ConvertCommand.class, RunCommand.class, InspectCommand.class, VerifyCommand.class, BenchCommand.class,
            ScheduleCommand.class, SensitivityCommand.class, VersionCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:failure (invalid or corrupt model or file, I/O error)",
            "2:usage error (bad option, or input data that does not fit the model)",
            "3:model not supported (operator or feature sparq does not run)",
            "130:cancelled (Ctrl-C); nothing was written"})
public final class SparqCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Show stack traces of errors.")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: give one of "
                + String.join(", ", commandNames(spec.commandLine())));
    }

    /** The command line with sparq's error handling installed (used by main and by tests). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SparqCli());
        cl.setExecutionExceptionHandler(SparqCli::handleError);
        cl.setParameterExceptionHandler(SparqCli::handleUsageError);
        return cl;
    }

    /**
     * A usage error is two lines on stderr, the error and where to read more, never the help text
     * itself: the one line that matters must not scroll away.
     */
    private static int handleUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("sparq: error: " + usageMessage(e));
        err.println(tryHelp(cl));
        err.flush();
        return ExitCode.USAGE;
    }

    /** The line under a usage error: where the command's options and examples are. */
    static String tryHelp(CommandLine cl) {
        return cl.getParent() == null ? "Try 'sparq help' for the commands."
                : "Try 'sparq help " + cl.getCommandSpec().name() + "' for its options and examples.";
    }

    /** picocli's message, reworded where it speaks of argument indexes rather than of what the user typed. */
    static String usageMessage(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            List<String> suggestions = u.getSuggestions();
            String hint = suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions) + "?";
            if (first.startsWith("-")) {
                return "unknown option '" + first + "'" + hint;
            }
            if (e.getCommandLine().getParent() == null) {
                return "unknown command '" + first + "'" + (suggestions.isEmpty()
                        ? "; the commands are " + String.join(", ", commandNames(e.getCommandLine())) : hint);
            }
            return "unexpected argument '" + first + "'";
        }
        String message = e.getMessage();
        if (message != null && message.startsWith("Unknown subcommand '")) {   // sparq help NAME
            CommandLine root = e.getCommandLine();
            while (root.getParent() != null) {
                root = root.getParent();
            }
            return "unknown command " + message.substring("Unknown subcommand ".length()).replaceAll("\\.$", "")
                    + "; the commands are " + String.join(", ", commandNames(root));
        }
        return message;
    }

    private static List<String> commandNames(CommandLine root) {
        return root.getSubcommands().keySet().stream().filter(n -> !n.equals("help")).toList();
    }

    private static int handleError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = parsed.hasMatchedOption("--verbose");
        if (e instanceof SparqException se) {
            err.println("sparq: error: " + se.getMessage());
            if (verbose) {
                se.printStackTrace(err);
            }
            if (se.code() == ErrorCode.INVALID_ARGUMENT) {
                err.println(tryHelp(cl));
            }
            err.flush();
            return ExitCode.of(se.code());
        }
        err.println("sparq: internal error: " + e + (verbose ? "" : " (run with --verbose for details)"));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCode.FAILURE;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
