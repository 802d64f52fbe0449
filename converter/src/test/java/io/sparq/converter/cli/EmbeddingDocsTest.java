package io.sparq.converter.cli;

import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** docs/embedding.md shows whole source files: each Java block compiles against runtime-lite and sparq-format alone. */
class EmbeddingDocsTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("public (?:final )?class (\\w+)");

    @TempDir
    Path tmp;

    @Test
    void everySnippetCompiles() throws IOException, URISyntaxException {
        Path doc = Path.of(System.getProperty("sparq.testmodels.dir")).resolve("../../docs/embedding.md").normalize();
        Matcher m = JAVA_BLOCK.matcher(Files.readString(doc));
        List<String> files = new ArrayList<>();
        while (m.find()) {
            String source = m.group(1);
            Matcher name = CLASS_NAME.matcher(source);
            assertFalse(!name.find(), () -> "docs/embedding.md: a Java block that is not a whole class:\n" + source);
            files.add(Files.writeString(tmp.resolve(name.group(1) + ".java"), source).toString());
        }
        assertFalse(files.isEmpty(), "no Java blocks found in " + doc);
        // only the two artifacts an application adds, not the converter's class path
        String classPath = location(Model.class) + File.pathSeparator + location(Tensor.class);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler (a JRE without javac?)");
        List<String> args = new ArrayList<>(List.of("--release", "17", "-cp", classPath, "-d", tmp.resolve("classes").toString()));
        args.addAll(files);
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        int status = javac.run(null, messages, messages, args.toArray(String[]::new));
        assertEquals(0, status, () -> "docs/embedding.md snippets do not compile:\n" + messages);
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
