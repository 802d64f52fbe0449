import io.sparq.format.Tensor;
import io.sparq.runtime.api.Model;
import io.sparq.runtime.api.Session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs the quick start's converted classifier from plain Java: loads the .sparq file, classifies
 * the sequences of samples.f32 (raw float32, [4, 24, 16]) and prints each one's class.
 *
 *   java --add-modules jdk.incubator.vector -cp RUNTIME_JARS Classify.java classifier.sparq samples.f32
 */
public class Classify {
    public static void main(String[] args) throws IOException {
        Model model = Model.load(Path.of(args[0]));          // immutable, share it between threads
        ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(Path.of(args[1]))).order(ByteOrder.LITTLE_ENDIAN);
        float[] x = new float[raw.remaining() / Float.BYTES];
        raw.asFloatBuffer().get(x);
        int batch = x.length / (24 * 16);
        try (Session session = model.newSession()) {          // one per thread
            String output = model.outputs().get(0).name();   // the class scores, [batch, 6]
            Tensor logits = session.run(Map.of("x", Tensor.ofFloats(new int[] {batch, 24, 16}, x))).get(output);
            float[] scores = logits.floats();
            for (int b = 0; b < batch; b++) {
                int best = 0;
                for (int c = 1; c < 6; c++) {
                    best = scores[b * 6 + c] > scores[b * 6 + best] ? c : best;
                }
                System.out.println("sequence " + b + ": class " + best);
            }
        }
    }
}
