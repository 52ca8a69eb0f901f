package io.factstream.testdata;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * A world on disk: an Avro object container file of {@link ScriptedCommand}s, deflate-compressed, with the
 * generator's parameters in the file's metadata ({@code factstream.*}). Written twice from the same world, the file
 * is the same byte for byte (its sync marker comes from the parameters), so a committed log can be checked against
 * its seed.
 */
public final class WorldLog {

    private static final String META_PREFIX = "factstream.";

    private WorldLog() {
    }

    public static void write(World world, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file);
             DataFileWriter<ScriptedCommand> writer =
                     new DataFileWriter<>(new SpecificDatumWriter<>(ScriptedCommand.class))) {
            writer.setCodec(CodecFactory.deflateCodec(9));
            world.parameters().forEach((key, value) -> writer.setMeta(META_PREFIX + key, value));
            writer.create(ScriptedCommand.getClassSchema(), out, syncMarker(world.parameters()));
            for (ScriptedCommand command : world.script()) {
                writer.append(command);
            }
        }
    }

    /** Reads a world; fails with the file and the cause in one line when it is not a world log. */
    public static World read(Path file) throws IOException {
        try (DataFileReader<ScriptedCommand> reader =
                     new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(ScriptedCommand.class))) {
            Map<String, String> parameters = new LinkedHashMap<>();
            for (String key : reader.getMetaKeys()) {
                if (key.startsWith(META_PREFIX)) {
                    parameters.put(key.substring(META_PREFIX.length()), reader.getMetaString(key));
                }
            }
            List<ScriptedCommand> script = new ArrayList<>();
            reader.forEach(script::add);
            return new World(parameters, script);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " is not a readable world log: " + e.getMessage(), e);
        }
    }

    private static byte[] syncMarker(Map<String, String> parameters) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(parameters.toString().getBytes(UTF_8));
            return Arrays.copyOf(digest, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
