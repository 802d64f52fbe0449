package io.sparq.converter.cli;

import io.sparq.converter.importer.OnnxImporter;
import io.sparq.format.ErrorCode;
import io.sparq.format.Graph;
import io.sparq.format.SparqException;
import io.sparq.format.codec.EncodingChoice;
import io.sparq.format.codec.MetaValue;
import io.sparq.format.codec.SparqWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code sparq convert}: imports an ONNX model and writes it as a {@code .sparq} file. */
@Command(name = "convert", header = "Convert an ONNX model to a .sparq file.",
        description = "Imports the model (checked by the ONNX checker; every operator must be supported), and"
                + " writes it as a .sparq file. The output appears whole or not at all.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  sparq convert model.onnx -o model.sparq",
            "  sparq convert model.onnx -o model.sparq && sparq run model.sparq --inputs in.npz"})
final class ConvertCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The dense ONNX model (.onnx).")
    Path modelFile;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The .sparq file to write.")
    Path outputFile;

    @Override
    public Integer call() {
        Graph graph = OnnxImporter.load(modelFile);
        OnnxImporter.checkSupported(graph);
        Map<String, EncodingChoice> encodings = new LinkedHashMap<>();
        graph.initializers().keySet().forEach(name -> encodings.put(name, EncodingChoice.dense()));
        Map<String, MetaValue> metadata = new LinkedHashMap<>();
        metadata.put("sparq.producer", MetaValue.of("sparq-converter " + VersionCommand.version()));
        metadata.put("sparq.source.name", MetaValue.of(modelFile.getFileName().toString()));
        metadata.put("sparq.source.sha256", MetaValue.of(sha256(modelFile)));
        SparqWriter.write(outputFile, graph, encodings, metadata);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("wrote %s (%s; %s was %s)%n", outputFile, InspectCommand.humanBytes(size(outputFile)),
                modelFile.getFileName(), InspectCommand.humanBytes(size(modelFile)));
        out.flush();
        return ExitCode.OK;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read the size of " + p + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(Path file) {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new SparqException(ErrorCode.INTERNAL, "SHA-256 is not available in this Java runtime", e);
        }
    }
}
