package io.sparq.converter.cli;

import io.sparq.format.SparqException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

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
            "3:model not supported (operator or feature sparq does not run)"})
public final class SparqCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Show stack traces of errors.")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    /** The command line with sparq's error handling installed (used by main and by tests). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SparqCli());
        cl.setExecutionExceptionHandler(SparqCli::handleError);
        return cl;
    }

    private static int handleError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = parsed.hasMatchedOption("--verbose");
        if (e instanceof SparqException se) {
            err.println("sparq: error: " + se.getMessage());
            if (verbose) {
                se.printStackTrace(err);
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
