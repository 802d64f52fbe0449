package io.sparq.converter.importer;

import com.google.protobuf.CodedInputStream;
import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.FunctionProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.SparseTensorProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What an ONNX model occupies on disk: the model file and every external data file it references
 * (torch's default exporter keeps the weights in {@code model.onnx.data}), so that size comparisons
 * count the weights wherever the exporter put them.
 */
public final class OnnxFileSize {
    private OnnxFileSize() {
    }

    /**
     * The model file followed by the external data files its tensors name (initializers, sparse
     * initializers, tensor attributes, also inside subgraphs and functions), in order of first
     * use; a location that is not a regular file inside the model's folder is left out (importing
     * the model refuses it).
     *
     * @throws SparqException {@code IO_ERROR} if a file cannot be read, {@code CORRUPT_FILE} if
     *         {@code onnxFile} is not ONNX protobuf
     */
    public static List<Path> files(Path onnxFile) {
        ModelProto model;
        try {
            CodedInputStream in = CodedInputStream.newInstance(Files.readAllBytes(onnxFile));
            in.enableAliasing(true);
            model = ModelProto.parseFrom(in);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new SparqException(ErrorCode.CORRUPT_FILE, onnxFile + ": not a valid ONNX model file: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SparqException(ErrorCode.IO_ERROR, "cannot read " + onnxFile + ": " + e.getMessage(), e);
        }
        Set<String> locations = new LinkedHashSet<>();
        graph(model.getGraph(), locations);
        for (FunctionProto f : model.getFunctionsList()) {
            f.getNodeList().forEach(n -> node(n, locations));
        }
        Path folder = onnxFile.toAbsolutePath().getParent().normalize();
        List<Path> files = new ArrayList<>();
        files.add(onnxFile);
        for (String location : locations) {
            Path p;
            try {
                p = folder.resolve(location).normalize();
            } catch (java.nio.file.InvalidPathException e) {
                continue;
            }
            if (p.startsWith(folder) && Files.isRegularFile(p) && !files.contains(p)) {
                files.add(p);
            }
        }
        return files;
    }

    /** Bytes of the model file plus those of every external data file it references ({@link #files}). */
    public static long of(Path onnxFile) {
        return bytes(files(onnxFile));
    }

    /** The summed sizes of {@code files}. */
    public static long bytes(List<Path> files) {
        long total = 0;
        for (Path p : files) {
            try {
                total += Files.size(p);
            } catch (IOException e) {
                throw new SparqException(ErrorCode.IO_ERROR, "cannot read the size of " + p + ": " + e.getMessage(), e);
            }
        }
        return total;
    }

    /**
     * How a report names a model's {@link #files}: {@code model.onnx}, {@code model.onnx +
     * model.onnx.data}, or with more than one data file {@code model.onnx + 3 data files}.
     */
    public static String describe(List<Path> files) {
        String name = files.get(0).getFileName().toString();
        return files.size() == 1 ? name
                : files.size() == 2 ? name + " + " + files.get(1).getFileName()
                : name + " + " + (files.size() - 1) + " data files";
    }

    private static void graph(GraphProto g, Set<String> locations) {
        g.getInitializerList().forEach(t -> tensor(t, locations));
        for (SparseTensorProto s : g.getSparseInitializerList()) {
            tensor(s.getValues(), locations);
            tensor(s.getIndices(), locations);
        }
        g.getNodeList().forEach(n -> node(n, locations));
    }

    private static void node(NodeProto n, Set<String> locations) {
        for (AttributeProto a : n.getAttributeList()) {
            tensor(a.getT(), locations);
            a.getTensorsList().forEach(t -> tensor(t, locations));
            if (a.hasG()) {
                graph(a.getG(), locations);
            }
            a.getGraphsList().forEach(g -> graph(g, locations));
        }
    }

    private static void tensor(TensorProto t, Set<String> locations) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            for (StringStringEntryProto e : t.getExternalDataList()) {
                if (e.getKey().equals("location")) {
                    locations.add(e.getValue());
                }
            }
        }
    }
}
