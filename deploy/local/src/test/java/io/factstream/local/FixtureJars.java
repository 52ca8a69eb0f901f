package io.factstream.local;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.apache.avro.Schema;
import org.apache.avro.compiler.specific.SpecificCompiler;
import org.apache.avro.generic.GenericData;

/**
 * Job jars made for the upgrade tests from a job jar: one with another entry class, one whose
 * state classes come from a changed {@code state.avsc}, generated and compiled the way the catalog module does
 * (Avro's specific compiler, strings as {@code String}, private fields).
 */
final class FixtureJars {

    private static final String STATE_PACKAGE = "io/factstream/state/";

    private FixtureJars() {
    }

    /** The job jar with {@code entry} (and the classes nested in it, from the test classes) as its Main-Class. */
    static Path withEntryClass(Path jobJar, Class<?> entry, Path out) throws IOException {
        Path classes = Path.of(entry.getProtectionDomain().getCodeSource().getLocation().getPath());
        String prefix = entry.getName().replace('.', '/');
        List<Path> added;
        try (Stream<Path> files = Files.walk(classes.resolve(prefix).getParent())) {
            added = files.filter(file -> {
                String name = classes.relativize(file).toString();
                return name.equals(prefix + ".class") || name.startsWith(prefix + "$");
            }).toList();
        }
        return repack(jobJar, out, entry.getName(), name -> false, classes, added);
    }

    /** The job jar with another of its classes, {@code mainClass}, as its Main-Class. */
    static Path withMainClass(Path jobJar, String mainClass, Path out) throws IOException {
        return repack(jobJar, out, mainClass, name -> false, jobJar.getParent(), List.of());
    }

    /**
     * The job jar with its {@code io.factstream.state} classes generated from the catalog's {@code state.avsc} as
     * {@code change} rewrites it.
     *
     * @param catalogSchemas the catalog module's {@code src/main/avro}
     */
    static Path withStateSchema(Path jobJar, Path catalogSchemas, UnaryOperator<String> change, Path out)
            throws IOException {
        Schema.Parser parser = new Schema.Parser();
        parser.parse(catalogSchemas.resolve("common.avsc").toFile());
        for (String folder : List.of("contexts", "superseded")) {
            try (Stream<Path> files = Files.list(catalogSchemas.resolve(folder))) {
                for (Path file : files.sorted().toList()) {
                    parser.parse(file.toFile());
                }
            }
        }
        parser.parse(catalogSchemas.resolve("envelopes.avsc").toFile());
        String original = Files.readString(catalogSchemas.resolve("state.avsc"));
        String changed = change.apply(original);
        if (changed.equals(original)) {
            throw new IllegalArgumentException("the change leaves state.avsc as it is");
        }
        SpecificCompiler compiler = new SpecificCompiler(parser.parse(changed));
        compiler.setStringType(GenericData.StringType.String);
        compiler.setFieldVisibility(SpecificCompiler.FieldVisibility.PRIVATE);
        Path work = Files.createTempDirectory(out.getParent(), "state-classes");
        Path sources = work.resolve("sources");
        Path classes = work.resolve("classes");
        compiler.compileToDestination(null, sources.toFile());
        List<String> stateSources;
        try (Stream<Path> files = Files.walk(sources.resolve(STATE_PACKAGE))) {
            stateSources = files.filter(file -> file.toString().endsWith(".java")).map(Path::toString).toList();
        }
        Files.createDirectories(classes);
        List<String> javac = new ArrayList<>(List.of("--release", "17", "-nowarn", "-classpath", jobJar.toString(),
                "-d", classes.toString()));
        javac.addAll(stateSources);
        JavaCompiler java = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        if (java.run(null, errors, errors, javac.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("the changed state classes do not compile: " + errors.toString(UTF_8));
        }
        List<Path> compiled;
        try (Stream<Path> files = Files.walk(classes.resolve(STATE_PACKAGE))) {
            compiled = files.filter(Files::isRegularFile).toList();
        }
        return repack(jobJar, out, null, name -> name.startsWith(STATE_PACKAGE), classes, compiled);
    }

    /** A copy of the jar less the entries {@code drop} names, plus the files under {@code root}. */
    private static Path repack(Path jar, Path out, String mainClass, Predicate<String> drop, Path root,
                               List<Path> files) throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest manifest = new Manifest(in.getManifest());
            if (mainClass != null) {
                manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
            }
            try (JarOutputStream copy = new JarOutputStream(Files.newOutputStream(out), manifest)) {
                for (Enumeration<JarEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                    JarEntry entry = entries.nextElement();
                    if (entry.getName().equals(JarFile.MANIFEST_NAME) || drop.test(entry.getName())) {
                        continue;
                    }
                    copy.putNextEntry(new JarEntry(entry.getName()));
                    try (InputStream content = in.getInputStream(entry)) {
                        content.transferTo(copy);
                    }
                    copy.closeEntry();
                }
                for (Path file : files) {
                    copy.putNextEntry(new JarEntry(root.relativize(file).toString().replace('\\', '/')));
                    Files.copy(file, copy);
                    copy.closeEntry();
                }
            }
        }
        return out;
    }
}
