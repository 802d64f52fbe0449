package io.sparq.converter.cli;

import io.sparq.converter.data.Npy;
import io.sparq.converter.data.Npz;
import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.Tensor;
import io.sparq.format.ValueInfo;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code sparq run}: runs a model on inputs from a NumPy file. */
@Command(name = "run", header = "Run a model on inputs from a .npz/.npy file.",
        description = "Feeds the arrays of --inputs to the model's inputs by name and writes the outputs,"
                + " keyed by output name, to --output (.npz). Without --output, prints a summary.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  sparq run model.onnx --inputs inputs.npz --output outputs.npz",
            "  sparq run model.onnx --inputs x.npy      # one input; prints the outputs"})
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model (.onnx or .sparq).")
    Path modelFile;

    @Option(names = "--inputs", required = true, paramLabel = "FILE",
            description = "Inputs: a .npz with one array per model input (keyed by input name; extra arrays"
                    + " are ignored), or a .npy for a model with one input.")
    Path inputsFile;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write the outputs (.npz).")
    Path outputFile;

    @Override
    public Integer call() {
        Graph graph = ModelFiles.load(modelFile);
        OnnxImporter.checkSupported(graph);
        Model model = Model.fromGraph(graph);
        Map<String, Tensor> feeds = readInputs(inputsFile, model.inputs());
        Map<String, Tensor> outputs;
        try (Session session = model.newSession()) {
            outputs = session.run(feeds);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (outputFile != null) {
            Npz.write(outputFile, outputs);
            out.println("wrote " + outputs.size() + " output(s) to " + outputFile);
        }
        outputs.forEach((name, t) -> out.println("  " + name + ": " + t + (outputFile == null ? " " + preview(t) : "")));
        out.flush();
        return ExitCode.OK;
    }

    /** Reads the input file and keeps the arrays that match model inputs. */
    static Map<String, Tensor> readInputs(Path inputsFile, List<ValueInfo> wanted) {
        String name = inputsFile.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".npy")) {
            if (wanted.size() != 1) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, inputsFile + " holds one array, but the model has "
                        + wanted.size() + " inputs " + wanted.stream().map(ValueInfo::name).toList()
                        + "; pass a .npz keyed by input name");
            }
            return Map.of(wanted.get(0).name(), Npy.read(inputsFile));
        }
        Map<String, Tensor> all = Npz.read(inputsFile);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (ValueInfo in : wanted) {
            Tensor t = all.get(in.name());
            if (t == null) {
                throw new SparqException(ErrorCode.INVALID_ARGUMENT, inputsFile + " has no array '" + in.name()
                        + "' for model input " + in + "; it holds " + all.keySet());
            }
            feeds.put(in.name(), t);
        }
        return feeds;
    }

    private static String preview(Tensor t) {
        int n = Math.min(t.size(), 6);
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.6g", t.getDouble(i)));
        }
        return s.append(n < t.size() ? ", ...]" : "]").toString();
    }
}
